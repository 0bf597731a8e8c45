import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Quote } from '@tradeloop/contracts';
import { observeEquity, RULE_LABELS, type RuleEvent } from '@tradeloop/domain';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { EventBus } from '../infra/events/event-bus.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { PnlStream } from '../pnl/pnl-stream.service.js';
import { AccountFlattener } from './account-flattener.js';
import { AccountRulesStore, type RuleSet } from './account-rules.store.js';
import { rulesData } from './account-rules.views.js';

/** The clock's beat: locks that end, flatten times, new days, and margins of accounts no quote moves. */
const CLOCK_MS = 1000;
/** Margins go out at most this often per account while equity moves (a rule event goes at once). */
const PUSH_MS = 250;
/** State is written at most this often per account unless something that must survive happened. */
const SAVE_MS = 1000;
/** A locked account still holding something after a failed flatten is flattened again this soon. */
const REFLATTEN_MS = 2000;
/** After a flatten that went out, this long (its fills have had time to come back) before another. */
const REFLATTEN_AFTER_SENT_MS = 30_000;

/**
 * Follows every account that has prop-firm rules: each quote of a ticker it holds moves its equity
 * through the rules (`observeEquity`), and a breach is acted on before the next quote — working
 * orders cancelled, positions closed, the account locked with the reason — and said in the log,
 * over `/ws` (`ACCOUNT_RULES`) and, through it, to notification channels. Runs where orders are
 * placed (not in an api-only process).
 */
@Injectable()
export class AccountRulesWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  /** Account → position key → ticker and signed quantity. */
  private readonly held = new Map<string, Map<string, { ticker: string; quantity: number }>>();
  private readonly names = new Map<string, string>();
  private readonly lastPush = new Map<string, number>();
  private readonly lastSave = new Map<string, number>();
  /** Flattens on their way, and the last try and its number per account (a failed one is tried again). */
  private readonly flattening = new Map<string, { inFlight: boolean; at: number; tries: number; cause: string; failed: boolean }>();
  private readonly stops: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private readonly console = new Logger('AccountRules');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly positions: PositionsReader,
    private readonly accounts: AccountsReader,
    private readonly store: AccountRulesStore,
    private readonly market: MarketService,
    private readonly pnl: PnlStream,
    private readonly flattener: AccountFlattener,
    private readonly bus: EventBus,
    private readonly events: DomainEvents,
    private readonly logs: LogsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.store.ready();
    for (const p of await this.positions.where({ open: true })) this.track(p.accountId, p.strategyId, p.ticker, p.quantity);
    await this.refreshNames();
    this.stops.push(this.market.onQuote((quote) => this.onQuote(quote)));
    this.stops.push(
      this.bus.subscribe((message) => {
        if (message.type === 'POSITION') {
          const { accountId, strategyId, ticker, quantity } = message.data;
          this.track(accountId, strategyId ?? '', ticker, quantity);
          this.evaluate(accountId, Date.now());
        }
      }),
    );
    // A fill moves the balance (realized P&L): looked at once it is booked.
    this.stops.push(this.events.on('FillBooked', ({ fill }) => this.evaluate(fill.accountId, Date.now())));
    this.timer = setInterval(() => this.tick(Date.now()), CLOCK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stops.forEach((stop) => stop());
  }

  /** Every ruled account once: the clock moves the rules even without a quote. */
  tick(now: number): void {
    for (const set of this.store.all()) this.evaluate(set.accountId, now, true);
  }

  /** Rules were set or removed: the account is looked at again now. */
  async rulesChanged(accountId: string): Promise<void> {
    await this.refreshNames();
    this.lastPush.delete(accountId);
    this.evaluate(accountId, Date.now(), true);
  }

  private onQuote(quote: Quote): void {
    for (const set of this.store.all()) {
      const held = this.held.get(set.accountId);
      if (held && [...held.values()].some((h) => h.ticker === quote.ticker)) this.evaluate(set.accountId, Date.now());
    }
  }

  /** Equity through the rules; events acted on. Synchronous up to the flatten, which starts at once. */
  private evaluate(accountId: string, now: number, clock = false): void {
    const set = this.store.get(accountId);
    if (!set) return;
    const totals = this.pnl.totals('account', accountId);
    const known = totals.openCents !== null;
    const before = set.state;
    const positions = this.byRoot(accountId);
    const step = observeEquity(
      set.rules,
      { ...before, positions },
      {
        at: Math.max(now, before.at),
        balanceCents: set.rules.startingBalanceCents + totals.realizedCents - set.baselineCents,
        // Unknown open P&L (no quote yet) is not taken as zero for the limits: the last known stands.
        openPnlCents: known ? totals.openCents! : before.openPnlCents,
      },
    );
    set.state = step.state;
    const shown = step.events.filter((e) => e.kind !== 'day-closed');
    for (const event of shown) void this.act(set, event);
    if (clock) this.keepFlat(set, now);
    const lastPush = this.lastPush.get(accountId) ?? 0;
    if (shown.length || now - lastPush >= PUSH_MS || (clock && now - lastPush >= CLOCK_MS)) {
      this.lastPush.set(accountId, now);
      const name = this.names.get(accountId) ?? accountId;
      if (!shown.length) this.bus.publish('ACCOUNT_RULES', rulesData(set, name, now, known, null));
      for (const event of shown) this.bus.publish('ACCOUNT_RULES', rulesData(set, name, now, known, event));
    }
    const mustSave =
      step.events.length > 0 ||
      before.floorCents !== set.state.floorCents ||
      before.date !== set.state.date ||
      before.locks.length !== set.state.locks.length;
    if (mustSave || now - (this.lastSave.get(accountId) ?? 0) >= SAVE_MS) {
      this.lastSave.set(accountId, now);
      this.store.saveState(set).catch((error: unknown) => this.console.error(`saving rule state failed: ${(error as Error).message}`));
    }
  }

  private async act(set: RuleSet, event: RuleEvent): Promise<void> {
    const name = this.names.get(set.accountId) ?? set.accountId;
    try {
      switch (event.kind) {
        case 'breach': {
          const until = event.until === null ? 'for good' : `until ${new Date(event.until).toISOString()}`;
          await this.logs.write({
            level: 'error',
            category: 'risk',
            message: `account "${name}": ${RULE_LABELS[event.rule]} breached: ${event.reason}; ${event.action === 'flatten-and-lock' ? 'flattening and locking' : 'no new entries'} ${until}`,
          });
          if (event.action === 'flatten-and-lock')
            await this.flatten(set, `${RULE_LABELS[event.rule]}: ${event.reason}`, `rules:${event.rule}:${set.state.date}`);
          return;
        }
        case 'flatten':
          await this.logs.write({ level: 'warn', category: 'risk', message: `account "${name}": ${event.reason}` });
          await this.flatten(set, event.reason, `rules-hours:${set.state.date}`);
          return;
        case 'warning':
          await this.logs.write({ level: 'warn', category: 'risk', message: `account "${name}": ${event.reason}` });
          return;
        case 'target-reached':
        case 'unlocked':
          await this.logs.write({ level: 'info', category: 'risk', message: `account "${name}": ${event.reason}` });
          return;
        case 'day-closed':
          return;
      }
    } catch (error) {
      this.console.error(`account "${name}": acting on ${event.kind} failed: ${(error as Error).message}`);
    }
  }

  /**
   * Cancels working orders and closes every position. Each closing order's id is `cause` and the
   * position's id (a position belongs to one account), so a second look places nothing twice; it
   * stays within the 100 characters an order id may have.
   */
  private async flatten(set: RuleSet, reason: string, cause: string): Promise<void> {
    const previous = this.flattening.get(set.accountId);
    if (previous?.inFlight) return;
    const tries = previous?.cause === cause ? previous.tries + 1 : 1;
    this.flattening.set(set.accountId, { inFlight: true, at: Date.now(), tries, cause, failed: false });
    let failed = true;
    const name = this.names.get(set.accountId) ?? set.accountId;
    try {
      // A second try needs new order ids: the first ones are on record (rejected, or never sent).
      const result = await this.flattener.flattenAccount(set.accountId, reason, tries === 1 ? cause : `${cause}:${tries}`);
      const refused = result.orders.filter((o) => o.status === 'rejected');
      failed = refused.length > 0;
      await this.logs.write({
        level: 'error',
        category: 'risk',
        message: `account "${name}": flattened by its rules (${result.orders.length - refused.length} position(s) closed, ${result.cancelled} working order(s) cancelled)${refused.length ? `; ${refused.length} closing order(s) refused (${refused[0].reason ?? 'no reason'}), tried again shortly` : ''}`,
      });
    } catch (error) {
      this.console.error(`account "${name}": flattening failed, tried again shortly: ${(error as Error).message}`);
    } finally {
      this.flattening.set(set.accountId, { inFlight: false, at: Date.now(), tries, cause, failed });
    }
  }

  /**
   * A locked account that must be flat and still holds something: flattened again — soon after a
   * try that failed, and after REFLATTEN_AFTER_SENT_MS after one that went out (a position that
   * came later, a fill that never did), so an order on its way is not doubled.
   */
  private keepFlat(set: RuleSet, now: number): void {
    const lock = set.state.locks.find((l) => l.action === 'flatten-and-lock' && (l.until === null || l.until > now));
    const held = this.held.get(set.accountId);
    if (!lock || !held?.size) return;
    const last = this.flattening.get(set.accountId);
    if (last && (last.inFlight || now - last.at < (last.failed ? REFLATTEN_MS : REFLATTEN_AFTER_SENT_MS))) return;
    void this.flatten(set, `${RULE_LABELS[lock.rule]}: ${lock.reason}`, last?.cause ?? `rules:${lock.rule}:${set.state.date}`);
  }

  private track(accountId: string, strategyId: string, ticker: string, quantity: number): void {
    let held = this.held.get(accountId);
    if (!held) this.held.set(accountId, (held = new Map()));
    const key = `${strategyId}|${ticker}`;
    if (quantity === 0) held.delete(key);
    else held.set(key, { ticker, quantity });
  }

  private byRoot(accountId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { ticker, quantity } of this.held.get(accountId)?.values() ?? []) {
      let root = ticker;
      try {
        root = this.market.instrument(ticker).root;
      } catch {
        /* an unknown ticker counts under its own name */
      }
      out[root] = (out[root] ?? 0) + quantity;
      if (out[root] === 0) delete out[root];
    }
    return out;
  }

  private async refreshNames(): Promise<void> {
    for (const account of await this.accounts.all()) this.names.set(account.id, account.name);
  }
}
