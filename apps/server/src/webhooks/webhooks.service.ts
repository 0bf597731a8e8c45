import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Alert, WebhookAccepted } from '@tradeloop/contracts';
import { contractMonth, contractMonthIsOver, parseAlert } from '@tradeloop/domain';
import { createHash, randomUUID } from 'node:crypto';
import { MoreThanOrEqual, Repository } from 'typeorm';
import { RateLimiter } from '../common/rate-limiter.js';
import { TooManyRequests } from '../common/too-many-requests.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { StrategiesService, tokenFingerprint, webhookTokenHash } from '../strategies/strategies.service.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import { allowListMatcher } from './ip-allow-list.js';
import { WebhookEvent } from './webhook-event.entity.js';
import { alertLabel, eventRef } from './alert-label.js';

export interface WebhookResult {
  status: 200 | 202;
  body: WebhookAccepted;
}

/** The alert is already on disk when it is queued: a queue that does not answer in time is swept up later, not waited for. */
const ENQUEUE_TIMEOUT_MS = 1000;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from the queue within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

/** Rate-limit refusals are logged once a minute per token or address, so a flood cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * The public intake. Validates, stores the event durably and enqueues it; the engine does the
 * trading. Every outcome, accepted or refused, is written to the strategy's log.
 */
@Injectable()
export class WebhooksService {
  private readonly perToken: RateLimiter;
  private readonly perIp: RateLimiter;
  private readonly refusalsLogged = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly strategies: StrategiesService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
  ) {
    this.perToken = new RateLimiter(config.webhooks.rateLimit.perTokenPerMinute, 60_000);
    this.perIp = new RateLimiter(config.webhooks.rateLimit.perIpPerMinute, 60_000);
  }

  async receive(token: string, body: unknown, sourceIp: string | null): Promise<WebhookResult> {
    // Limits come before the lookup: a flood costs no database work.
    await this.limit(this.perIp, `ip:${sourceIp}`, `from ${sourceIp}`, token, sourceIp);
    await this.limit(this.perToken, `token:${webhookTokenHash(token)}`, 'for this strategy', token, sourceIp);
    const strategy = await this.strategies.findByToken(token);
    if (!strategy) {
      await this.logs.write({
        level: 'warn',
        category: 'webhook',
        message: `webhook refused: unknown token ${tokenFingerprint(token)}`,
        context: { sourceIp },
      });
      throw new UnauthorizedException('unknown webhook token');
    }
    const refuse = async (error: BadRequestException | ConflictException | ForbiddenException): Promise<never> => {
      await this.logs.write({
        level: 'warn',
        category: 'webhook',
        strategyId: strategy.id,
        message: `webhook refused: ${error.message}`,
        context: { sourceIp, body: preview(body) },
      });
      throw error;
    };

    if (sourceIp !== null && !allowListMatcher(strategy.allowedIps)(sourceIp)) {
      return refuse(new ForbiddenException(`source address ${sourceIp} is not on this strategy's allow-list`));
    }
    const checked = this.check(strategy, body);
    if (!checked.ok) return refuse(checked.status === 409 ? new ConflictException(checked.error) : new BadRequestException(checked.error));
    const { alert, notes } = checked;
    // Accept only what can be queued now: with Redis down, say so at once rather than let TradingView time out.
    if (!this.queue.accepting()) {
      await this.logs.write({
        level: 'error',
        category: 'webhook',
        strategyId: strategy.id,
        message: 'webhook refused: the event queue is unreachable (is Redis up?); alert not accepted (503)',
        context: { sourceIp, body: preview(body) },
      });
      throw new ServiceUnavailableException('the event queue is unreachable: the alert was not accepted, try again');
    }

    const outcome = await this.store(strategy, alert, notes, sourceIp);
    if (outcome.duplicate) return { status: 200, body: { accepted: true, eventId: outcome.eventId, duplicate: true } };
    const answer: WebhookAccepted = {
      accepted: true,
      eventId: outcome.eventId,
      ...(outcome.notBefore !== null ? { delayedUntil: new Date(outcome.notBefore).toISOString() } : {}),
      ...(notes.length ? { notes } : {}),
    };
    // A delayed alert is queued when it is due (DelayedAlertsService), from the database: a restart loses nothing.
    if (outcome.notBefore !== null) return { status: 202, body: answer };
    try {
      await withTimeout(
        this.queue.enqueue(strategy.id, { type: 'webhook', strategyId: strategy.id, eventId: outcome.eventId }),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (error) {
      // The event is on disk: the stale-event sweep (or the next start) queues it again.
      await this.logs.write({
        level: 'error',
        category: 'webhook',
        strategyId: strategy.id,
        message: `alert ${eventRef(outcome.eventId)} stored but not queued: ${(error as Error).message}`,
      });
    }
    return { status: 202, body: answer };
  }

  /**
   * What the intake makes of a body, without storing it: the alert as it would be queued, the
   * notes the answer would carry, or the refusal (400, or 409 for a disabled strategy). The
   * preview answers from the same check.
   */
  check(strategy: Strategy, body: unknown): { ok: true; alert: Alert; notes: string[] } | { ok: false; status: 400 | 409; error: string } {
    const parsed = parseAlert(body);
    if (!parsed.ok) return { ok: false, status: 400, error: parsed.error };
    if (!strategy.enabled) return { ok: false, status: 409, error: `strategy "${strategy.name}" is disabled` };
    const normalized = this.normalize(strategy, parsed.alert);
    if (typeof normalized === 'string') return { ok: false, status: 400, error: normalized };
    return { ok: true, alert: normalized.alert, notes: [...parsed.notes, ...normalized.notes] };
  }

  /** For requests Fastify refused before the controller ran (a body over the limit): still in the strategy's log. */
  async refusedBeforeParsing(token: string, reason: string, sourceIp: string | null): Promise<void> {
    const strategy = await this.strategies.findByToken(token);
    const who = strategy ? '' : ` (unknown token ${tokenFingerprint(token)})`;
    await this.logs.write({
      level: 'warn',
      category: 'webhook',
      strategyId: strategy?.id ?? null,
      message: `webhook refused: ${reason}${who}`,
      context: { sourceIp },
    });
  }

  private async limit(limiter: RateLimiter, key: string, scope: string, token: string, sourceIp: string | null): Promise<void> {
    const decision = limiter.take(key);
    if (decision.allowed) return;
    const now = Date.now();
    if ((this.refusalsLogged.get(key) ?? 0) + REFUSAL_LOG_INTERVAL_MS <= now) {
      if (this.refusalsLogged.size > 10_000) this.refusalsLogged.clear();
      this.refusalsLogged.set(key, now);
      const strategy = await this.strategies.findByToken(token);
      await this.logs.write({
        level: 'warn',
        category: 'webhook',
        strategyId: strategy?.id ?? null,
        message: `webhook refused: rate limit ${scope} reached (429; further refusals this minute are not logged)`,
        context: { sourceIp, token: tokenFingerprint(token) },
      });
    }
    throw new TooManyRequests(`too many webhooks ${scope}; retry after ${decision.retryAfterSeconds} s`, decision.retryAfterSeconds);
  }

  /**
   * Resolves the ticker to its canonical form and checks what needs the instrument; a string is the
   * error. A contract month that is over is traded as the front month, and the answer says so.
   */
  private normalize(strategy: Strategy, alert: Alert): { alert: Alert; notes: string[] } | string {
    const ticker = alert.ticker?.trim() || strategy.defaultTicker;
    if (!ticker) return 'ticker is required (this strategy has no default ticker)';
    let resolved;
    try {
      resolved = this.market.resolve(ticker);
    } catch (error) {
      return (error as Error).message;
    }
    const notes: string[] = [];
    if (resolved.instrument.kind === 'future') {
      const fields = alert.quantityType ? (['positionSize'] as const) : (['quantity', 'positionSize'] as const);
      for (const field of fields) {
        const value = alert[field];
        if (value !== undefined && !Number.isInteger(value))
          return `${field} must be a whole number of contracts for ${resolved.ticker}, got ${value}`;
      }
      const month = contractMonth(ticker, resolved.instrument.root);
      if (month && contractMonthIsOver(month)) {
        notes.push(`${ticker.trim()} is the ${month.label} contract, which has expired: traded as ${resolved.ticker}, the front month`);
      }
    }
    return { alert: { ...alert, ticker: resolved.ticker }, notes };
  }

  private async store(
    strategy: Strategy,
    alert: Alert,
    notes: string[],
    sourceIp: string | null,
  ): Promise<{ eventId: string; duplicate: boolean; notBefore: number | null }> {
    const key = alert.id ?? null;
    // Without an id, the same body twice within the window is one alert delivered twice.
    const bodyHash = key ? null : createHash('sha256').update(JSON.stringify(alert)).digest('hex');
    const now = Date.now();
    const windowMs = this.config.webhooks.duplicateWindowSeconds * 1000;
    try {
      return await this.database.transaction(async (m) => {
        const previous = key
          ? await m.findOneBy(WebhookEvent, { strategyId: strategy.id, idempotencyKey: key })
          : windowMs > 0
            ? await m.findOneBy(WebhookEvent, { strategyId: strategy.id, bodyHash: bodyHash!, receivedAt: MoreThanOrEqual(now - windowMs) })
            : null;
        if (previous) {
          await this.logs.write(
            {
              level: 'info',
              category: 'webhook',
              strategyId: strategy.id,
              message: key
                ? `duplicate of ${alertLabel(previous)} ignored`
                : `the same alert again within ${this.config.webhooks.duplicateWindowSeconds} s ignored as a double delivery of ${alertLabel(previous)}; give alerts an id to control this`,
            },
            m,
          );
          return { eventId: previous.id, duplicate: true, notBefore: previous.notBefore };
        }
        const notBefore = alert.delay ? now + Math.round(alert.delay * 1000) : null;
        const event = m.create(WebhookEvent, {
          id: randomUUID(),
          strategyId: strategy.id,
          idempotencyKey: key,
          bodyHash,
          status: notBefore === null ? 'accepted' : 'delayed',
          alert: JSON.stringify(alert),
          sourceIp,
          receivedAt: now,
          processedAt: null,
          notBefore,
          error: null,
        });
        await m.insert(WebhookEvent, event);
        await this.logs.write(
          {
            level: 'info',
            category: 'webhook',
            strategyId: strategy.id,
            message:
              `alert accepted: ${describe({ ...alert, id: undefined })} (${alertLabel(event).slice('alert '.length)})` +
              (notBefore !== null ? `; held ${alert.delay} s, until ${new Date(notBefore).toISOString()}` : '') +
              (notes.length ? `; ${notes.join('; ')}` : ''),
            context: { eventId: event.id, sourceIp },
          },
          m,
        );
        return { eventId: event.id, duplicate: false, notBefore };
      });
    } catch (error) {
      // PostgreSQL: a concurrent request with the same id won the unique key.
      const previous = key ? await this.events.findOneBy({ strategyId: strategy.id, idempotencyKey: key }).catch(() => null) : null;
      if (previous) return { eventId: previous.id, duplicate: true, notBefore: previous.notBefore };
      // The database refused the write (locked, full, gone): nothing was accepted, and the sender is told so.
      throw new ServiceUnavailableException(
        `the database could not store the alert (${(error as Error).message}); it was not accepted, try again`,
      );
    }
  }
}

export function describe(alert: Alert): string {
  const parts = [
    alert.positionSize !== undefined ? `positionSize ${alert.positionSize}` : alert.action,
    alert.quantity,
    alert.quantityType && `(${alert.quantityType})`,
    alert.ticker,
    alert.sentiment && `(sentiment ${alert.sentiment})`,
    alert.orderType && alert.orderType !== 'market' ? alert.orderType : undefined,
    alert.limitPrice !== undefined ? `limit ${alert.limitPrice}` : undefined,
    alert.stopPrice !== undefined ? `stop ${alert.stopPrice}` : undefined,
    alert.trailAmount !== undefined ? `trail ${alert.trailAmount}` : undefined,
    alert.trailPercent !== undefined ? `trail ${alert.trailPercent} %` : undefined,
    alert.timeInForce,
    (alert.signalPrice ?? alert.price) !== undefined ? `@ ${alert.signalPrice ?? alert.price}` : undefined,
    alert.id && `id ${alert.id}`,
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(' ');
}

/** The start of a refused body for the log, with other services' secrets (PickMyTrade's token) blanked. */
export function preview(body: unknown): string | undefined {
  let text: string | undefined;
  if (typeof body === 'string') text = body.slice(0, 2000);
  else {
    try {
      text = JSON.stringify(body)?.slice(0, 2000);
    } catch {
      text = '(a body nested too deeply to show)';
    }
  }
  return text?.replace(/("(?:token|password|secret|apiKey|api_key)"\s*:\s*")[^"]*"/gi, '$1…"').slice(0, 500);
}
