import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  AccountRulesData,
  BrokerData,
  NotificationKindName,
  FeedData,
  FillData,
  LogData,
  OrderData,
  StrategyData,
} from '@tradeloop/contracts';
import { addDays, RULE_LABELS, toCents, TradingCalendar } from '@tradeloop/domain';
import { Between, Repository } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { EventBus } from '../infra/events/event-bus.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { Trade } from '../ledger/trade.entity.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import { NotificationHub } from './notification-hub.service.js';
import type { NotificationEvent } from './notification-events.js';

/** The notification kinds each bus message can become. */
const KIND_OF: Partial<Record<string, NotificationKindName[]>> = {
  LOG: ['alert-refused'],
  STRATEGY: ['strategy-errored'],
  ACCOUNT_RULES: ['risk-warning', 'breach'],
};

/** How often the trading day's end and broker logins' expiry are looked at. */
const DAY_CHECK_MS = 30_000;
/** A broker login that expires within this is told about (once per expiry). */
const LOGIN_WARN_MS = 15 * 60_000;

/**
 * What the trader is told about, taken from the internal events (the event bus) rather than from
 * the services that cause them: fills, refused and failed orders, refused alerts, account-rule
 * warnings and breaches, feeds dropping and coming back, strategies stopped by an error, and a
 * summary when the trading day ends. Only events that happened in this process are taken (a
 * relayed copy was taken where it happened). Each is keyed by what caused it, so it is queued once.
 */
@Injectable()
export class NotificationSources implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stops: (() => void)[] = [];
  private dayTimer?: NodeJS.Timeout;
  private readonly feeds = new Map<string, { connected: boolean; since: number }>();
  /** Broker logins by `name|account`: connection, since when, the login's expiry and the expiry already told of. */
  private readonly brokers = new Map<string, { data: BrokerData; since: number; toldExpiry: number | null }>();
  private currentDate: string;
  private readonly console = new Logger('Notifications');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsReader,
    private readonly strategies: StrategiesReader,
    private readonly positions: PositionsReader,
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    private readonly bus: EventBus,
    private readonly events: DomainEvents,
    private readonly hub: NotificationHub,
    private readonly calendar: TradingCalendar,
  ) {
    this.currentDate = calendar.dateOf(Date.now());
  }

  onApplicationBootstrap(): void {
    const failed = (what: string) => (error: unknown) =>
      this.console.error(`notification for ${what} not queued: ${(error as Error).message}`);
    // Fills and settled orders come as internal events, in the process where they were booked.
    this.stops.push(
      this.events.on('FillBooked', ({ fill }) => {
        if (this.hub.wants('fill')) void this.fill(fill).catch(failed('a fill'));
      }),
      this.events.on('OrderSettled', ({ order }) => {
        if (order.status === 'rejected' && (this.hub.wants('alert-refused') || this.hub.wants('alert-failed')))
          void this.rejected(order).catch(failed('a refused order'));
      }),
    );
    this.stops.push(
      this.bus.subscribe((message, origin) => {
        if (origin !== 'local') return;
        const kind = KIND_OF[message.type];
        // Nobody is told of it: nothing to look up (the clock still follows feeds and brokers).
        if (kind && !kind.some((k) => this.hub.wants(k))) return;
        const done = (work: Promise<unknown>) =>
          void work.catch((error: unknown) =>
            this.console.error(`notification for ${message.type} not queued: ${(error as Error).message}`),
          );
        switch (message.type) {
          case 'LOG':
            return done(this.log(message.data));
          case 'FEED':
            return done(this.feed(message.data));
          case 'STRATEGY':
            return done(this.strategy(message.data));
          case 'BROKER':
            return done(this.broker(message.data));
          case 'ACCOUNT_RULES':
            return done(this.rules(message.data));
          default:
            return;
        }
      }),
    );
    if (this.config.role !== 'api') {
      // A day that ended while the server was down is summed up now (once: the outbox keys it by date).
      void this.summarize(addDays(this.currentDate, -1), { skipEmpty: true }).catch(() => undefined);
      this.dayTimer = setInterval(() => {
        void this.dayEnd(Date.now());
        void this.loginsExpiring(Date.now());
      }, DAY_CHECK_MS);
      this.dayTimer.unref();
    }
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
    clearInterval(this.dayTimer);
  }

  private notify(event: Exclude<NotificationEvent, { kind: 'test' }>, key: string): Promise<number> {
    return this.hub.notify(event, key);
  }

  private async fill(fill: FillData): Promise<void> {
    const [account, strategy, held] = await Promise.all([
      this.accounts.byId(fill.accountId),
      fill.strategyId ? this.strategies.byId(fill.strategyId) : null,
      this.positions.where({ accountId: fill.accountId, ticker: fill.ticker }),
    ]);
    await this.notify(
      {
        kind: 'fill',
        at: fill.time,
        account: account?.name ?? fill.accountId,
        strategy: strategy?.name ?? null,
        ticker: fill.ticker,
        side: fill.side,
        quantity: fill.quantity,
        price: fill.price,
        positionAfter: held.reduce((sum, p) => sum + p.quantity, 0),
        realizedPnlCents: fill.realizedPnl === 0 ? null : toCents(fill.realizedPnl),
      },
      fill.id,
    );
  }

  /** An order refused by a limit or a rule (nothing reached the broker), or by the broker. */
  private async rejected(order: OrderData): Promise<void> {
    const [account, strategy] = await Promise.all([
      this.accounts.byId(order.accountId),
      order.strategyId ? this.strategies.byId(order.strategyId) : null,
    ]);
    const reason = order.reason ?? 'no reason given';
    await this.notify(
      {
        kind: reason.startsWith('risk limit:') ? 'alert-refused' : 'alert-failed',
        at: order.time,
        strategy: strategy?.name ?? null,
        account: account?.name ?? null,
        ticker: order.ticker,
        reason,
        alertId: null,
      },
      order.id,
    );
  }

  /** An alert the intake refused for a strategy (a lock, a disabled strategy, a bad body): from its log line. */
  private async log(line: LogData): Promise<void> {
    if (line.category !== 'webhook' || !line.strategyId || !line.message.startsWith('webhook refused: ')) return;
    const strategy = await this.strategies.byId(line.strategyId);
    await this.notify(
      {
        kind: 'alert-refused',
        at: line.time,
        strategy: strategy?.name ?? null,
        account: null,
        ticker: null,
        reason: line.message.slice('webhook refused: '.length),
        alertId: null,
      },
      `log:${line.id ?? `${line.strategyId}:${line.time}`}`,
    );
  }

  private async feed(feed: FeedData): Promise<void> {
    const before = this.feeds.get(feed.name);
    const now = Date.now();
    if (before?.connected === feed.connected) return;
    this.feeds.set(feed.name, { connected: feed.connected, since: now });
    // The first report of a feed that is up is no news; one that starts down is.
    if (!before && feed.connected) return;
    await this.notify(
      {
        kind: 'connection',
        at: now,
        source: 'feed',
        name: feed.name,
        state: feed.connected ? 'reconnected' : 'disconnected',
        reason: feed.error,
        downForMs: feed.connected && before ? now - before.since : null,
      },
      `feed:${feed.name}:${now}`,
    );
  }

  /** A broker login dropping or coming back, and its expiry (looked at again on the clock). */
  private async broker(data: BrokerData): Promise<void> {
    const key = `${data.name}|${data.account ?? ''}`;
    const before = this.brokers.get(key);
    const now = Date.now();
    const changed = before?.data.connected !== data.connected;
    this.brokers.set(key, { data, since: changed ? now : (before?.since ?? now), toldExpiry: before?.toldExpiry ?? null });
    const label = data.account ? `${data.name} (${data.account})` : data.name;
    // The first report of a login that is up is no news; one that starts down is.
    if (changed && (before || !data.connected)) {
      await this.notify(
        {
          kind: 'connection',
          at: now,
          source: 'broker',
          name: label,
          state: data.connected ? 'reconnected' : 'disconnected',
          reason: data.error,
          downForMs: data.connected && before ? now - before.since : null,
        },
        `broker:${key}:${now}`,
      );
    }
    await this.loginsExpiring(now);
  }

  /** Logins that expire within LOGIN_WARN_MS and were not renewed: told once per expiry. */
  async loginsExpiring(now: number): Promise<void> {
    for (const [key, entry] of this.brokers) {
      const expiresAt = entry.data.loginExpiresAt;
      if (expiresAt === null || expiresAt <= now || expiresAt - now > LOGIN_WARN_MS || entry.toldExpiry === expiresAt) continue;
      entry.toldExpiry = expiresAt;
      await this.notify(
        { kind: 'login-expiring', at: now, broker: entry.data.name, account: entry.data.account ?? entry.data.name, expiresAt },
        `${key}:${expiresAt}`,
      );
    }
  }

  private async strategy(data: StrategyData): Promise<void> {
    if (data.status !== 'errored') return;
    await this.notify(
      { kind: 'strategy-errored', at: data.time, strategy: data.name, error: data.reason ?? 'no reason given', stopped: true },
      `${data.id}:${data.time}`,
    );
  }

  private async rules(data: AccountRulesData): Promise<void> {
    const event = data.event;
    if (!event) return;
    if (event.kind === 'breach') {
      await this.notify(
        {
          kind: 'breach',
          at: data.time,
          account: data.account,
          rule: RULE_LABELS[event.rule],
          reason: event.text,
          action: event.action ?? 'flatten-and-lock',
          until: event.until === null ? null : Date.parse(event.until),
        },
        `${data.accountId}:${event.rule}:${data.date}`,
      );
    } else if (event.kind === 'warning') {
      await this.notify(
        {
          kind: 'risk-warning',
          at: data.time,
          account: data.account,
          rule: RULE_LABELS[event.rule],
          remainingCents: toCents(event.remaining ?? 0),
          margin: event.text,
        },
        `${data.accountId}:${event.rule}:${data.date}`,
      );
    }
  }

  /** The trading day ended since the last look: its summary, once (keyed by its date). */
  async dayEnd(now: number): Promise<void> {
    const date = this.calendar.dateOf(now);
    if (date === this.currentDate) return;
    const ended = this.currentDate;
    this.currentDate = date;
    await this.summarize(ended).catch((error: unknown) => this.console.error(`daily summary failed: ${(error as Error).message}`));
  }

  /** The summary of one trading date: realized P&L, trades, wins and losses, one line per account. */
  async summarize(date: string, options: { skipEmpty?: boolean } = {}): Promise<number> {
    const trades = await this.trades.find({
      where: { exitTime: Between(this.calendar.startOf(date), this.calendar.startOf(addDays(date, 1)) - 1) },
      select: { accountId: true, pnlCents: true },
    });
    if (!trades.length && options.skipEmpty) return 0;
    const names = new Map((await this.accounts.all()).map((a) => [a.id, a.name]));
    const perAccount = new Map<string, { name: string; pnlCents: number; trades: number }>();
    for (const t of trades) {
      const row = perAccount.get(t.accountId) ?? { name: names.get(t.accountId) ?? t.accountId, pnlCents: 0, trades: 0 };
      row.pnlCents += t.pnlCents;
      row.trades++;
      perAccount.set(t.accountId, row);
    }
    return this.notify(
      {
        kind: 'daily-summary',
        at: this.calendar.startOf(addDays(date, 1)),
        date,
        realizedPnlCents: trades.reduce((sum, t) => sum + t.pnlCents, 0),
        trades: trades.length,
        wins: trades.filter((t) => t.pnlCents > 0).length,
        losses: trades.filter((t) => t.pnlCents < 0).length,
        accounts: [...perAccount.values()],
      },
      date,
    );
  }
}
