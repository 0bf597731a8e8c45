import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Quote } from '@tradeloop/contracts';
import { FillIntake } from '../execution/fill-intake.service.js';
import type { EngineEvent, EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import type { BookedFill } from '../execution/order-fills.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import type { HandlerName } from '../sandbox/protocol.js';
import { ScriptsService } from '../scripts/scripts.service.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { newRowId } from '../common/row-id.js';

interface Watch {
  handlers: Set<HandlerName>;
  /** Tickers the script declared, canonical. */
  declared: Set<string>;
  /** Tickers the strategy holds a position in. */
  held: Set<string>;
}

/** A tick queued and not taken by its handler for this long is queued again. */
const STALE_WAITING_TICK_MS = 5_000;

/**
 * Decides when the milliseconds of a schedule come due: on multiples of `everyMs` since the epoch,
 * after `now` and after the run before. A timer may fire a millisecond before its time by the
 * wall clock; counting from that moment alone would schedule the same run twice.
 */
export const nextDue = (now: number, everyMs: number, previous = -Infinity) =>
  Math.floor(Math.max(now, previous) / everyMs) * everyMs + everyMs;

/**
 * Puts ticks, fills and timers on the event queue for the scripted strategies that handle them:
 * a quote for every enabled strategy whose script watches the ticker (declared or held),
 * conflated per strategy and ticker (with the in-process queue, here: see takeTick); a fill once the ledger booked it; a timer on the script's
 * schedule. It only enqueues: the engine does the work, in order, per strategy.
 */
@Injectable()
export class ScriptTriggersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly watches = new Map<string, Watch>();
  private readonly byTicker = new Map<string, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly stops: (() => void)[] = [];
  /** Refreshes run one after another. */
  private refreshing: Promise<void> = Promise.resolve();
  /**
   * In-process queue only: per ticker, the newest quote, the watching strategies with no tick
   * waiting (the next quote queues one for each), and those with a tick queued and not started
   * (since when). A quote for a strategy whose tick waits changes nothing but the newest quote:
   * the handler takes that when it starts (see takeTick). One enqueue per handler call, not per
   * quote and strategy.
   */
  private readonly ticks = new Map<string, { latest?: Quote; idle: Set<string>; waiting: Map<string, number> }>();
  private sweeper?: NodeJS.Timeout;
  private readonly conflateHere: boolean;

  constructor(
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly strategyRows: StrategiesReader,
    private readonly positions: PositionsReader,
    private readonly scripts: ScriptsService,
    private readonly events: DomainEvents,
    private readonly market: MarketService,
    private readonly fills: FillIntake,
    private readonly logs: LogsService,
  ) {
    // With BullMQ the handler may run in another process, which cannot take from this map.
    this.conflateHere = queue.driver === 'memory';
  }

  /** The tick bookkeeping of a ticker (in-process queue). */
  private tickerTicks(ticker: string) {
    let entry = this.ticks.get(ticker);
    if (!entry) this.ticks.set(ticker, (entry = { idle: new Set(), waiting: new Map() }));
    return entry;
  }

  /** A tick queued and never taken (it should not happen) gives way to a new one after a while. */
  private sweep(): void {
    const before = performance.now() - STALE_WAITING_TICK_MS;
    for (const entry of this.ticks.values()) {
      for (const [strategyId, since] of entry.waiting) {
        if (since >= before) continue;
        entry.waiting.delete(strategyId);
        entry.idle.add(strategyId);
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(
      // Ticks come from the process that runs the feeds; relayed quotes would tick every process at once.
      this.market.onQuote((quote, origin) => {
        if (origin === 'local') this.onQuote(quote);
      }),
      this.fills.onFillBooked((booked) => this.onFill(booked)),
      this.events.on('ScriptChanged', ({ name }) => void this.refreshScript(name)),
      this.events.on('StrategyChanged', ({ strategyId }) => void this.refresh(strategyId)),
    );
    if (this.conflateHere) {
      this.sweeper = setInterval(() => this.sweep(), STALE_WAITING_TICK_MS);
      this.sweeper.unref();
    }
    const scripted = (await this.strategyRows.enabledScriptedIds()).map((id) => ({ id }));
    for (const { id } of scripted) await this.refresh(id);
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
    clearInterval(this.sweeper);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Which strategies a quote of this ticker goes to (tests, diagnostics). */
  watchers(ticker: string): string[] {
    return [...(this.byTicker.get(ticker) ?? [])];
  }

  refresh(strategyId: string): Promise<void> {
    this.refreshing = this.refreshing
      .then(() => this.load(strategyId))
      .catch((error: unknown) =>
        this.logs.write({
          level: 'error',
          category: 'script',
          strategyId,
          message: `cannot follow ticks and timers: ${(error as Error).message}`,
        }),
      );
    return this.refreshing;
  }

  private async refreshScript(name: string): Promise<void> {
    for (const id of await this.strategyRows.idsRunning(name)) await this.refresh(id);
  }

  private async load(strategyId: string): Promise<void> {
    this.drop(strategyId);
    const strategy = await this.strategyRows.byId(strategyId);
    const meta = strategy?.enabled && strategy.script ? this.scripts.current(strategy.script)?.meta : undefined;
    if (!strategy || !meta) return;
    const declared = new Set<string>();
    for (const ticker of meta.tickers) {
      try {
        declared.add(this.market.resolve(ticker).ticker);
      } catch {
        /* a ticker the catalog cannot read: nothing to watch */
      }
    }
    const held = await this.positions.where({ strategyId, accountId: strategy.accountId, open: true });
    const watch: Watch = { handlers: new Set(meta.handlers), declared, held: new Set(held.map((p) => p.ticker)) };
    this.watches.set(strategyId, watch);
    this.index(strategyId, watch);
    if (watch.handlers.has('onTick')) await this.market.subscribe([...declared, ...watch.held]);
    if (meta.everyMs !== null && watch.handlers.has('onTimer')) this.schedule(strategyId, meta.everyMs);
  }

  private drop(strategyId: string): void {
    this.watches.delete(strategyId);
    this.unwatchTicks(strategyId, new Set());
    for (const ids of this.byTicker.values()) ids.delete(strategyId);
    clearTimeout(this.timers.get(strategyId));
    this.timers.delete(strategyId);
  }

  private index(strategyId: string, watch: Watch): void {
    for (const ids of this.byTicker.values()) ids.delete(strategyId);
    const watched = new Set(watch.handlers.has('onTick') ? [...watch.declared, ...watch.held] : []);
    this.unwatchTicks(strategyId, watched);
    for (const ticker of watched) {
      let ids = this.byTicker.get(ticker);
      if (!ids) this.byTicker.set(ticker, (ids = new Set()));
      ids.add(strategyId);
      if (this.conflateHere) {
        const entry = this.tickerTicks(ticker);
        if (!entry.waiting.has(strategyId)) entry.idle.add(strategyId);
      }
    }
  }

  /** The strategy's tick bookkeeping for tickers it no longer watches is dropped. */
  private unwatchTicks(strategyId: string, watched: Set<string>): void {
    for (const [ticker, entry] of this.ticks) {
      if (watched.has(ticker)) continue;
      entry.idle.delete(strategyId);
      entry.waiting.delete(strategyId);
    }
  }

  /**
   * The newest quote of `ticker` for the strategy's tick that is starting now, and the tick no
   * longer waiting (the next quote queues a new one); undefined when none was kept here (BullMQ,
   * or a redelivery), and the event's own quote stands.
   */
  takeTick(strategyId: string, ticker: string): Quote | undefined {
    const entry = this.ticks.get(ticker);
    if (!entry?.waiting.delete(strategyId)) return undefined;
    entry.idle.add(strategyId);
    return entry.latest;
  }

  private onQuote(quote: Quote): void {
    if (this.conflateHere) {
      const entry = this.ticks.get(quote.ticker);
      if (!entry) return;
      entry.latest = quote;
      if (!entry.idle.size) return;
      const now = performance.now();
      // Taken out first: a handler may start (and take its tick) within enqueue.
      const ids = [...entry.idle];
      entry.idle.clear();
      for (const strategyId of ids) {
        entry.waiting.set(strategyId, now);
        this.enqueue({ type: 'tick', strategyId, eventId: newRowId(), quote }, `${strategyId}:${quote.ticker}`);
      }
      return;
    }
    const ids = this.byTicker.get(quote.ticker);
    if (!ids?.size) return;
    for (const strategyId of ids) {
      this.enqueue({ type: 'tick', strategyId, eventId: newRowId(), quote }, `${strategyId}:${quote.ticker}`);
    }
  }

  private onFill({ order, fill, position }: BookedFill): void {
    const strategyId = order.strategyId;
    const watch = strategyId ? this.watches.get(strategyId) : undefined;
    if (!strategyId || !watch) return;
    if (position.quantity !== 0) watch.held.add(position.ticker);
    else watch.held.delete(position.ticker);
    this.index(strategyId, watch);
    if (watch.handlers.has('onFill')) this.enqueue({ type: 'fill', strategyId, eventId: newRowId(), fillId: fill.id });
  }

  private schedule(strategyId: string, everyMs: number, previous?: number): void {
    const now = Date.now();
    const due = nextDue(now, everyMs, previous);
    const timer = setTimeout(() => {
      if (this.timers.get(strategyId) !== timer) return;
      this.enqueue({ type: 'timer', strategyId, eventId: newRowId(), time: due });
      this.schedule(strategyId, everyMs, due);
    }, due - now);
    timer.unref();
    this.timers.set(strategyId, timer);
  }

  /** A tick that could not be queued: the strategy waits for none. */
  private notQueued(strategyId: string, ticker: string): void {
    const entry = this.ticks.get(ticker);
    if (entry?.waiting.delete(strategyId) && this.byTicker.get(ticker)?.has(strategyId)) entry.idle.add(strategyId);
  }

  private enqueue(event: EngineEvent, conflateKey?: string): void {
    this.queue.enqueue(event.strategyId, event, conflateKey ? { conflateKey } : {}).catch((error: unknown) => {
      if (event.type === 'tick') this.notQueued(event.strategyId, event.quote.ticker);
      // Shutting down (the queue is closed) or Redis away: a tick or timer is not worth more than a line.
      void this.logs
        .write({
          level: 'debug',
          category: 'script',
          strategyId: event.strategyId,
          message: `${event.type} not queued: ${(error as Error).message}`,
        })
        .catch(() => undefined);
    });
  }
}
