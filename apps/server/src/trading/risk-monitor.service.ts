import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { PnlData, RiskLimits } from '@tradeloop/contracts';
import { addDays, localMinutes, parseDayStart, TradingCalendar } from '@tradeloop/domain';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LogsService } from '../logs/logs.service.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import { TradingService } from './trading.service.js';
import { DomainEvents } from '../infra/events/domain-events.js';

/** How often halts are lifted and daily flatten times looked at. */
const CLOCK_MS = 10_000;
/** A daily flatten happens within this many minutes after its time, or not that day. */
const FLATTEN_WINDOW_MINUTES = 15;

interface Watched {
  scope: 'strategy' | 'account';
  id: string;
  name: string;
  limits: RiskLimits;
  haltedUntil: number | null;
}

/**
 * Watches what the limits react to: today's P&L (every PNL message, from the recorder or the live
 * stream) against max daily loss and profit, and the clock against daily flatten times and the
 * end of halts. A limit hit halts once per trading day: the strategy or account is flattened, its
 * working orders cancelled, and it takes no new exposure until the next trading day begins.
 */
@Injectable()
export class RiskMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private watched = new Map<string, Watched>();
  private readonly flattenedOn = new Map<string, string>();
  private readonly inFlight = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stops: (() => void)[] = [];
  private readonly console = new Logger('Risk');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly strategyRows: StrategiesReader,
    private readonly accountRows: AccountsReader,
    private readonly strategies: StrategiesService,
    private readonly events: DomainEvents,
    private readonly accounts: AccountsService,
    private readonly trading: TradingService,
    private readonly calendar: TradingCalendar,
    private readonly bus: EventBus,
    private readonly logs: LogsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.stops.push(this.events.on('StrategyChanged', () => void this.reload()));
    this.stops.push(
      this.bus.subscribe((message) => {
        if (message.type === 'PNL') void this.onPnl(message.data);
      }),
    );
    this.timer = setInterval(() => void this.tick(Date.now()), CLOCK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stops.forEach((stop) => stop());
  }

  /** Reads the limits again (after a strategy or account changed). */
  async reload(): Promise<void> {
    const next = new Map<string, Watched>();
    for (const s of await this.strategyRows.withRisk()) {
      next.set(`strategy|${s.id}`, { scope: 'strategy', id: s.id, name: s.name, limits: s.risk!, haltedUntil: s.haltedUntil });
    }
    for (const a of await this.accountRows.withRisk()) {
      next.set(`account|${a.id}`, { scope: 'account', id: a.id, name: a.name, limits: a.risk!, haltedUntil: a.haltedUntil });
    }
    this.watched = next;
  }

  /** Today's P&L against the daily limits. */
  async onPnl(pnl: PnlData, now = Date.now()): Promise<void> {
    if (pnl.scope === 'all' || pnl.todayPnl === null) return;
    const watched = this.watched.get(`${pnl.scope}|${pnl.id}`);
    if (!watched) return;
    const { maxDailyLoss, maxDailyProfit } = watched.limits;
    let reason: string | null = null;
    if (maxDailyLoss !== undefined && pnl.todayPnl <= -maxDailyLoss)
      reason = `max daily loss of $${maxDailyLoss} hit (today ${pnl.todayPnl.toFixed(2)})`;
    else if (maxDailyProfit !== undefined && pnl.todayPnl >= maxDailyProfit)
      reason = `max daily profit of $${maxDailyProfit} reached (today ${pnl.todayPnl.toFixed(2)})`;
    if (reason) await this.halt(watched, reason, now);
  }

  /** Lifts halts that are over and flattens at the daily flatten times; the timer calls it, tests too. */
  async tick(now: number): Promise<void> {
    try {
      const resumed = await this.strategies.resumeHalted(now);
      for (const name of resumed)
        await this.logs.write({ level: 'info', category: 'risk', message: `strategy "${name}": new trading day, halt lifted` });
      for (const account of await this.accountRows.haltEndedBy(now)) {
        await this.accounts.setHalted(account.id, null);
        await this.logs.write({ level: 'info', category: 'risk', message: `account "${account.name}": new trading day, halt lifted` });
      }
      if (resumed.length) await this.reload();
      for (const watched of this.watched.values()) await this.flattenOnTime(watched, now);
    } catch (error) {
      this.console.error(`risk clock failed: ${(error as Error).message}`);
    }
  }

  private async flattenOnTime(watched: Watched, now: number): Promise<void> {
    const at = watched.limits.flattenAt;
    if (!at) return;
    const zone = watched.limits.timeZone ?? this.config.pnl.timeZone;
    const date = this.calendar.dateOf(now);
    const key = `${watched.scope}|${watched.id}`;
    // Once a trading day, within FLATTEN_WINDOW_MINUTES of the time: a server that was down then
    // flattens when it is back in time, and a restart later in the day does not flatten again.
    const minutes = localMinutes(now, zone);
    const target = parseDayStart(at);
    const since = (minutes - target + 24 * 60) % (24 * 60);
    if (since >= FLATTEN_WINDOW_MINUTES || this.flattenedOn.get(key) === date) return;
    this.flattenedOn.set(key, date);
    const result = await this.trading.flatten(
      watched.scope === 'strategy' ? { strategyId: watched.id } : { accountId: watched.id },
      `daily flatten at ${at} (${zone})`,
      `autoflatten:${watched.scope}:${watched.id}:${date}`,
    );
    if (result.orders.length || result.cancelled) {
      await this.logs.write({
        level: 'warn',
        category: 'risk',
        strategyId: watched.scope === 'strategy' ? watched.id : null,
        message: `${watched.scope} "${watched.name}": flattened at ${at} ${zone} (${result.orders.length} position(s) closed, ${result.cancelled} order(s) cancelled)`,
      });
    }
  }

  private async halt(watched: Watched, reason: string, now: number): Promise<void> {
    const key = `${watched.scope}|${watched.id}`;
    const date = this.calendar.dateOf(now);
    const until = this.calendar.startOf(addDays(date, 1));
    // Once a trading day: already halted until the next one, or on its way.
    if ((watched.haltedUntil !== null && watched.haltedUntil >= until) || this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      watched.haltedUntil = until;
      if (watched.scope === 'strategy') await this.strategies.halt(watched.id, `${reason}: halted until the next trading day`, until);
      else await this.accounts.setHalted(watched.id, until);
      const result = await this.trading.flatten(
        watched.scope === 'strategy' ? { strategyId: watched.id } : { accountId: watched.id },
        reason,
        `halt:${watched.scope}:${watched.id}:${date}`,
      );
      await this.logs.write({
        level: 'error',
        category: 'risk',
        strategyId: watched.scope === 'strategy' ? watched.id : null,
        message: `${watched.scope} "${watched.name}": ${reason}; flattened (${result.orders.length} position(s)), cancelled ${result.cancelled} working order(s), halted until ${new Date(until).toISOString()}`,
      });
    } finally {
      this.inFlight.delete(key);
    }
  }
}
