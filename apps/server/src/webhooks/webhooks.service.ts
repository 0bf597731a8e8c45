import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  type OnModuleDestroy,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Alert, WebhookAccepted } from '@tradeloop/contracts';
import { contractMonth, contractMonthIsOver, parseAlert } from '@tradeloop/domain';
import { hash as digest } from 'node:crypto';
import { Repository, type EntityManager } from 'typeorm';
import { AccountRulesGate } from '../account-rules/account-rules.gate.js';
import { RateLimiter, type RateDecision } from '../common/rate-limiter.js';
import { TooManyRequests } from '../common/too-many-requests.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { Statements } from '../database/statements.js';
import { StrategyListing } from '../database/strategy-listing.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import type { AcceptedAlert, EventQueue, IntakeStamps } from '../infra/queue/event-queue.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { tokenFingerprint, webhookTokenHash } from '../strategies/webhook-token.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import { allowListMatcher } from '../strategies/ip-allow-list.js';
import { RefusalLog, type Refusal } from './refusal-log.js';
import { WebhookEvent } from './webhook-event.entity.js';
import { alertLabel, eventRef } from './alert-label.js';
import { newRowId } from '../common/row-id.js';

interface StoreOutcome {
  eventId: string;
  duplicate: boolean;
  notBefore: number | null;
  /** A new alert: what was stored. */
  stored?: AcceptedAlert;
  /** Handed to the in-process queue as its transaction committed (see queueAtCommit). */
  queued?: boolean;
}

interface PendingAlert {
  strategy: Strategy;
  alert: Alert;
  notes: string[];
  sourceIp: string | null;
  /** When the request arrived. */
  receivedAt: number;
  key: string | null;
  bodyHash: string | null;
  resolve: (outcome: StoreOutcome) => void;
  reject: (error: unknown) => void;
  /** Settles with the alert's answer: once its log is synced, or with the failure the sender is told. */
  answered: Promise<StoreOutcome>;
}

/** An alert already stored, as a duplicate names it. */
interface PreviousEvent {
  id: string;
  idempotencyKey: string | null;
  notBefore: number | null;
}

/** At most this many alerts share one unit of work. */
const MAX_BATCH = 128;

/** What a duplicate answers with (PostgreSQL gives bigint as a string). */
interface PreviousRow {
  id: string;
  idempotencyKey: string | null;
  notBefore: number | string | null;
}

// The intake's statements, prepared once (see Statements): the duplicate checks and the event.
// The checks are exported for the test that holds them to their (partial) indexes.
export const SAME_KEY = 'SELECT "id", "idempotencyKey", "notBefore" FROM "webhook_events" WHERE "strategyId" = ? AND "idempotencyKey" = ?';
export const SAME_BODY =
  'SELECT "id", "idempotencyKey", "notBefore" FROM "webhook_events" WHERE "strategyId" = ? AND "bodyHash" = ? AND "receivedAt" >= ? LIMIT 1';
const INSERT_EVENT =
  'INSERT INTO "webhook_events" ("id", "strategyId", "listedStrategyId", "idempotencyKey", "bodyHash", "status", "alert", "sourceIp", "receivedAt", "processedAt", "notBefore", "error") ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL) ON CONFLICT DO NOTHING';

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

/**
 * The public intake. Validates, stores the event durably and enqueues it; the engine does the
 * trading. Every outcome is written to the strategy's log: each accepted alert, and refusals at
 * most once a minute per address (the rest counted, see RefusalLog).
 */
@Injectable()
export class WebhooksService implements OnModuleDestroy {
  private readonly perToken: RateLimiter;
  private readonly perIp: RateLimiter;
  private readonly refusals: RefusalLog;
  private readonly sweeper: NodeJS.Timeout;
  /** Alerts checked and waiting for the next unit of work (see store). */
  private readonly pending: PendingAlert[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly strategies: StrategiesService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
    private readonly accountRules: AccountRulesGate,
    private readonly statements: Statements,
    private readonly listing: StrategyListing,
  ) {
    this.perToken = new RateLimiter(config.webhooks.rateLimit.perTokenPerMinute, 60_000);
    this.perIp = new RateLimiter(config.webhooks.rateLimit.perIpPerMinute, 60_000);
    this.refusals = new RefusalLog((line) => this.logs.write(line));
    this.sweeper = setInterval(() => void this.closeRefusalMinutes(), 15_000).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.closeRefusalMinutes(Number.POSITIVE_INFINITY);
  }

  /** Writes the counts of refusals whose minute is over (all of them at shutdown). */
  closeRefusalMinutes(now = Date.now()): Promise<void> {
    return this.refusals.closeMinutes(now).catch(() => undefined);
  }

  /**
   * Every request to /webhooks counts against its address before its body is read — refusals
   * (oversized, unknown token, bad JSON) as much as alerts — so a flood of any kind meets 429.
   */
  admitAddress(sourceIp: string | null, url: string): RateDecision {
    const decision = this.perIp.take(`ip:${sourceIp}`);
    if (!decision.allowed) {
      void this.noteRefusal({
        address: sourceIp,
        strategyId: null,
        status: 429,
        reason: `rate limit from ${sourceIp} reached (${this.config.webhooks.rateLimit.perIpPerMinute} a minute)`,
        context: { token: tokenFingerprint(tokenIn(url)) },
      });
    }
    return decision;
  }

  async receive(token: string, body: unknown, sourceIp: string | null, receivedAt = Date.now()): Promise<WebhookResult> {
    // The token's limit comes before the lookup: a flood costs no database work.
    const hash = webhookTokenHash(token);
    const byToken = this.perToken.take(`token:${hash}`);
    if (!byToken.allowed) {
      await this.noteRefusal({
        address: sourceIp,
        strategyId: null,
        status: 429,
        reason: `rate limit for this strategy reached (${this.config.webhooks.rateLimit.perTokenPerMinute} a minute)`,
        context: { token: tokenFingerprint(token) },
        strategyOf: async () => (await this.strategies.findByToken(token))?.id ?? null,
      });
      throw new TooManyRequests(
        `too many webhooks for this strategy; retry after ${byToken.retryAfterSeconds} s`,
        byToken.retryAfterSeconds,
      );
    }
    const strategy = token && token.length <= 64 ? await this.strategies.findByTokenHash(hash) : null;
    if (!strategy) {
      await this.noteRefusal({ address: sourceIp, strategyId: null, status: 401, reason: `unknown token ${tokenFingerprint(token)}` });
      throw new UnauthorizedException('unknown webhook token');
    }
    const refuse = async (error: BadRequestException | ConflictException | ForbiddenException): Promise<never> => {
      await this.noteRefusal({
        address: sourceIp,
        strategyId: strategy.id,
        status: error.getStatus(),
        reason: error.message,
        context: { body: preview(body) },
      });
      throw error;
    };

    if (sourceIp !== null && !allowListMatcher(strategy.allowedIps)(sourceIp)) {
      return refuse(new ForbiddenException(`source address ${sourceIp} is not on this strategy's allow-list`));
    }
    const checked = this.check(strategy, body);
    if (!checked.ok) return refuse(checked.status === 409 ? new ConflictException(checked.error) : new BadRequestException(checked.error));
    const { alert, notes } = checked;
    // An account locked by its prop-firm rules takes no new exposure: say so now, and queue nothing.
    const locked = await this.accountRules.alertRefusal(strategy, alert);
    if (locked) return refuse(new ConflictException(locked));
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

    const outcome = await this.store(strategy, alert, notes, sourceIp, receivedAt);
    if (outcome.duplicate) return { status: 200, body: { accepted: true, eventId: outcome.eventId, duplicate: true } };
    const answer: WebhookAccepted = {
      accepted: true,
      eventId: outcome.eventId,
      ...(outcome.notBefore !== null ? { delayedUntil: new Date(outcome.notBefore).toISOString() } : {}),
      ...(notes.length ? { notes } : {}),
    };
    // A delayed alert is queued when it is due (DelayedAlertsService), from the database: a restart loses nothing.
    if (outcome.notBefore !== null || outcome.queued) return { status: 202, body: answer };
    // Only a queue across the network may not answer: one that does not in time is swept up later.
    await this.enqueue(strategy.id, outcome.eventId, this.intakeStamps(alert, receivedAt), (queued) =>
      withTimeout(queued, ENQUEUE_TIMEOUT_MS),
    );
    return { status: 202, body: answer };
  }

  /**
   * In one process the engine may start on an alert the moment its transaction commits, while the
   * log is still being synced for its 202: what the engine then writes commits after the alert, so
   * the sync that makes its order durable (before any broker hears of it) makes the alert durable
   * too. What else the engine does beyond this process (a cancel, a script, the event's end) waits
   * for the alert's own sync, carried with the event as `durable`; so does the 202. That sync and
   * the engine's planning overlap instead of following one another.
   */
  private queueAtCommit(m: EntityManager, item: PendingAlert, eventId: string, stored: AcceptedAlert): boolean {
    if (this.queue.driver !== 'memory') return false;
    const durable = item.answered.then(
      () => true,
      () => false,
    );
    this.database.onCommitted(m, () => {
      void this.enqueue(item.strategy.id, eventId, this.intakeStamps(item.alert, item.receivedAt), (queued) => queued, { stored, durable });
    });
    return true;
  }

  /** Queues an accepted alert for the engine; a queue that fails is logged: the event is stored, and the sweep or the next start queues it again. */
  private async enqueue(
    strategyId: string,
    eventId: string,
    stamps: IntakeStamps,
    waitFor: (queued: Promise<void>) => Promise<void>,
    atCommit?: { stored: AcceptedAlert; durable: Promise<boolean> },
  ): Promise<void> {
    try {
      await waitFor(
        this.queue.enqueue(strategyId, {
          type: 'webhook',
          strategyId,
          eventId,
          stamps,
          ...(atCommit ? { accepted: atCommit.stored, durable: atCommit.durable } : {}),
        }),
      );
    } catch (error) {
      await this.logs
        .write({
          level: 'error',
          category: 'webhook',
          strategyId,
          message: `alert ${eventRef(eventId)} stored but not queued: ${(error as Error).message}`,
        })
        .catch(() => undefined);
    }
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

  /** For requests Fastify refused before the controller ran (a body over the limit): counted like any refusal. */
  async refusedBeforeParsing(url: string, status: number, reason: string, sourceIp: string | null): Promise<void> {
    const token = tokenIn(url);
    await this.noteRefusal({
      address: sourceIp,
      strategyId: null,
      status,
      reason: `${reason} (${status})`,
      context: { token: tokenFingerprint(token) },
      strategyOf: async () => (await this.strategies.findByToken(token))?.id ?? null,
    });
  }

  /** The execution timeline's intake stamps: on disk now; the quote (mid) slippage falls back on. */
  private intakeStamps(alert: Alert, receivedAt: number): IntakeStamps {
    const quote = alert.ticker ? this.market.latest(alert.ticker) : undefined;
    const mid = quote && !quote.stale ? Number(((quote.bid + quote.ask) / 2).toFixed(10)) : null;
    return { receivedAt, acceptedAt: Date.now(), ...(mid !== null ? { quote: { ticker: quote!.ticker, price: mid } } : {}) };
  }

  /** Written at most once a minute per address, strategy and status; the rest are counted. */
  private noteRefusal(refusal: Refusal): Promise<void> {
    return this.refusals.note(refusal).catch(() => undefined);
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

  /**
   * Stores an alert, or finds the one it repeats. Alerts that arrive together (in one turn of the
   * event loop) are stored in one unit of work: one transaction on PostgreSQL instead of one each,
   * one savepoint in SQLite's group commit. Nothing is answered before that commit. Should the
   * unit fail, each of its alerts is tried again alone, so one alert's failure stays its own.
   */
  private store(strategy: Strategy, alert: Alert, notes: string[], sourceIp: string | null, receivedAt: number): Promise<StoreOutcome> {
    const key = alert.id ?? null;
    let settle!: Pick<PendingAlert, 'resolve' | 'reject'>;
    const answered = new Promise<StoreOutcome>((resolve, reject) => (settle = { resolve, reject }));
    this.pending.push({
      strategy,
      alert,
      notes,
      sourceIp,
      receivedAt,
      key,
      // Without an id, the same body twice within the window is one alert delivered twice.
      bodyHash: key ? null : digest('sha256', JSON.stringify(alert), 'hex'),
      ...settle,
      answered,
    });
    if (this.pending.length === 1) setImmediate(() => this.flush());
    return answered;
  }

  private flush(): void {
    while (this.pending.length) void this.storeBatch(this.pending.splice(0, MAX_BATCH));
  }

  private async storeBatch(batch: PendingAlert[]): Promise<void> {
    let outcomes: StoreOutcome[];
    try {
      outcomes = await this.database.transaction(async (m) => {
        const stored = new Map<string, PreviousEvent>();
        const results: StoreOutcome[] = [];
        for (const item of batch) results.push(await this.storeOne(m, item, stored));
        return results;
      });
    } catch (error) {
      if (batch.length > 1) {
        await Promise.all(batch.map((item) => this.storeBatch([item])));
        return;
      }
      await this.storeFailed(batch[0], error).then(batch[0].resolve, batch[0].reject);
      return;
    }
    batch.forEach((item, i) => item.resolve(outcomes[i]));
  }

  private async storeOne(m: EntityManager, item: PendingAlert, stored: Map<string, PreviousEvent>): Promise<StoreOutcome> {
    const { strategy, alert, notes, sourceIp, key, bodyHash } = item;
    const now = Date.now();
    const windowMs = this.config.webhooks.duplicateWindowSeconds * 1000;
    const sameKey = key ? `key\u0000${strategy.id}\u0000${key}` : windowMs > 0 ? `body\u0000${strategy.id}\u0000${bodyHash}` : null;
    // An earlier alert of this same unit first, then the database. An alert with an id is simply
    // inserted: the unique key on (strategy, id) refuses a repeat, which is then looked up (below);
    // one statement fewer for every alert that is not a repeat.
    const previous =
      (sameKey && stored.get(sameKey)) ||
      (key ? undefined : await this.previous(m, strategy.id, null, bodyHash, now - windowMs, windowMs > 0));
    if (previous) return this.duplicate(m, strategy, key, previous);
    const notBefore = alert.delay ? now + Math.round(alert.delay * 1000) : null;
    const event = { id: newRowId(), idempotencyKey: key, notBefore };
    const status: WebhookEvent['status'] = notBefore === null ? 'accepted' : 'delayed';
    const row: AcceptedAlert = { alert: JSON.stringify(alert), receivedAt: now, idempotencyKey: key };
    const inserted = await this.statements.run(m, INSERT_EVENT, [
      event.id,
      strategy.id,
      this.listing.listedAtInsert(strategy.id),
      key,
      bodyHash,
      status,
      row.alert,
      sourceIp,
      now,
      notBefore,
    ]);
    if (inserted === 0) {
      // The same id stored before, or (PostgreSQL) by a request in another transaction or process that won the unique key.
      const winner = await this.previous(m, strategy.id, key, null, 0, false);
      if (!winner) throw new Error('the alert was neither stored nor found stored');
      return this.duplicate(m, strategy, key, winner);
    }
    if (sameKey) stored.set(sameKey, event);
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
    const queued = notBefore === null && this.queueAtCommit(m, item, event.id, row);
    return { eventId: event.id, duplicate: false, notBefore, stored: row, queued };
  }

  /** The stored alert this one repeats: the same id, or (without one) the same body within the window. */
  private async previous(
    m: EntityManager,
    strategyId: string,
    key: string | null,
    bodyHash: string | null,
    since: number,
    byBody: boolean,
  ): Promise<PreviousEvent | undefined> {
    const found = key
      ? await this.statements.get<PreviousRow>(m, SAME_KEY, [strategyId, key])
      : byBody && bodyHash
        ? await this.statements.get<PreviousRow>(m, SAME_BODY, [strategyId, bodyHash, since])
        : undefined;
    return found && { ...found, notBefore: found.notBefore === null ? null : Number(found.notBefore) };
  }

  private async duplicate(m: EntityManager, strategy: Strategy, key: string | null, previous: PreviousEvent): Promise<StoreOutcome> {
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

  /** The unit of one alert failed: a duplicate that lost a race on PostgreSQL, or nothing stored (503). */
  private async storeFailed(item: PendingAlert, error: unknown): Promise<StoreOutcome> {
    const previous = item.key
      ? await this.events.findOneBy({ strategyId: item.strategy.id, idempotencyKey: item.key }).catch(() => null)
      : null;
    if (previous) return { eventId: previous.id, duplicate: true, notBefore: previous.notBefore };
    // The database refused the write (locked, full, gone): nothing was accepted, and the sender is told so.
    throw new ServiceUnavailableException(
      `the database could not store the alert (${(error as Error).message}); it was not accepted, try again`,
    );
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

/** The token part of a /webhooks/<token> path. */
export function tokenIn(url: string): string {
  const raw = url
    .slice(url.indexOf('/webhooks/') + '/webhooks/'.length)
    .split(/[/?#]/)[0]
    .slice(0, 200);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
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
