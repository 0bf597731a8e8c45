import type { BacktestNote, Instrument, MarketFill, RiskLimits } from '@tradeloop/contracts';
import { bestPrice, legPrices, managedStopPrice } from '../brackets.js';
import { increasesExposure, insideWindow } from '../execution-controls.js';
import { parseDayStart, zoneOffsetMs, type TradingCalendar, DAY_MS } from '../trading-day.js';
import { placementPrice, touchPrice, type BookOrder } from './book.js';
import { BacktestLedger, type BookedFill } from './ledger.js';
import type { ReplayQuote } from './replay.js';

export interface ExecutorOptions {
  instrument: Instrument;
  commissionPerContract: number;
  marketFill: MarketFill;
  risk: RiskLimits | null;
  calendar: TradingCalendar;
  /** A quote older than this is not fresh: a market order takes the alert's price first (as the paper broker). */
  maxQuoteAgeMs: number;
  note: (level: BacktestNote['level'], message: string) => void;
  /** Each booked fill, in order (the engine hands it to the script's onFill). */
  onFill: (fill: BookedFill) => void;
}

export type NewOrder = Omit<BookOrder, 'id' | 'placedAt'>;

/**
 * The backtest's paper account: places, rests and fills orders against replayed quotes, books the
 * fills in its own ledger, places and cancels bracket legs, moves managed stops, and holds orders
 * to the strategy's risk limits on the simulated clock.
 */
export class BacktestExecutor {
  readonly ledger: BacktestLedger;
  /** Resting orders, in placement order. */
  private working: BookOrder[] = [];
  /** Market orders waiting for the next quote (`marketFill: next`). */
  private waiting: BookOrder[] = [];
  quote: ReplayQuote | undefined;
  private seq = 0;

  /** Signed: what the market orders waiting for the next quote will add once they fill. */
  get pending(): number {
    return this.waiting.reduce((sum, order) => sum + (order.side === 'buy' ? order.quantity : -order.quantity), 0);
  }
  private ids = 0;
  private groups = 0;
  now = 0;
  /** Orders placed in the last minute (maxOrdersPerMinute). */
  private recent: number[] = [];
  /** Trading date halted by a daily limit until it ends. */
  private haltedDate: string | null = null;
  private date: string | null = null;
  private dayBegins = Infinity;
  private dayEnds = -Infinity;
  private realizedAtDayStart = 0;
  private flattenMinutes: number | null;
  private readonly zone: string;

  constructor(private readonly options: ExecutorOptions) {
    this.ledger = new BacktestLedger(options.instrument, options.commissionPerContract);
    this.zone = options.risk?.timeZone ?? options.calendar.timeZone;
    this.flattenMinutes = options.risk?.flattenAt ? parseDayStart(options.risk.flattenAt) : null;
  }

  get position(): number {
    return this.ledger.position;
  }

  get workingOrders(): readonly BookOrder[] {
    return this.working;
  }

  /** Today's P&L (realized since the trading day began plus open), cents; null without a quote. */
  todayCents(): number | null {
    const open = this.ledger.openCents(this.quote);
    return open === null ? null : this.ledger.realizedCents - this.realizedAtDayStart + open;
  }

  /**
   * A new quote: the clock moves, a new trading day starts, waiting market orders and resting
   * orders it reaches fill (in placement order), managed stops follow, and the daily limits and
   * `flattenAt` act.
   */
  onQuote(quote: ReplayQuote): void {
    const previous = this.quote?.time ?? null;
    this.now = quote.time;
    this.quote = quote;
    this.seq++;
    if (quote.time >= this.dayEnds || quote.time < this.dayBegins) {
      // A new trading day (looked up only when the clock leaves the current one).
      const { calendar } = this.options;
      const date = calendar.dateOf(quote.time);
      [this.dayBegins, this.dayEnds] = [calendar.startOf(date), calendar.endOf(date)];
      if (date !== this.date) {
        this.date = date;
        this.realizedAtDayStart = this.ledger.realizedCents;
      }
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const order of waiting) this.fill(order, order.side === 'buy' ? quote.ask : quote.bid, 'quote');
    for (const order of [...this.working]) {
      if (order.placedAt >= this.seq || !this.working.includes(order)) continue;
      const price = touchPrice(order, quote);
      if (price !== undefined) this.fill(order, price, 'quote');
    }
    this.follow(quote);
    this.limits(quote, previous);
  }

  /** Places an order; a refusal is noted and returns null. */
  place(order: NewOrder, reason: string): BookOrder | null {
    const problem = this.refusal(order);
    if (problem) {
      this.options.note('warn', `${reason}: ${order.side} ${order.quantity} refused: ${problem}`);
      return null;
    }
    const placed: BookOrder = { ...order, id: `order-${++this.ids}`, placedAt: this.seq };
    if (placed.type === 'market') {
      const fresh = this.quote && this.now - this.quote.time <= this.options.maxQuoteAgeMs ? this.quote : undefined;
      if (fresh && this.options.marketFill === 'next') {
        this.waiting.push(placed);
        return placed;
      }
      const market = fresh ?? (placed.referencePrice ? { bid: placed.referencePrice, ask: placed.referencePrice } : this.quote);
      if (!market) {
        this.options.note('warn', `${reason}: ${order.side} ${order.quantity} rejected: no quote and no price in the alert`);
        return null;
      }
      this.fill(placed, placementPrice(placed, market)!, market === fresh || market === this.quote ? 'quote' : 'alert');
      return placed;
    }
    const price = this.quote ? placementPrice(placed, this.quote) : undefined;
    if (price !== undefined) this.fill(placed, price, 'quote');
    else this.working.push(placed);
    return placed;
  }

  /** Cancels working orders (all, or those `which` picks); returns how many. */
  cancel(which: (order: BookOrder) => boolean = () => true): number {
    const before = this.working.length + this.waiting.length;
    this.working = this.working.filter((o) => !which(o));
    this.waiting = this.waiting.filter((o) => !which(o));
    return before - this.working.length - this.waiting.length;
  }

  /** Cancels everything and closes the position at the market. */
  flatten(reason: string): void {
    this.cancel();
    const held = this.position;
    if (held !== 0) this.place({ side: held > 0 ? 'sell' : 'buy', quantity: Math.abs(held), type: 'market', role: 'order' }, reason);
  }

  private refusal(order: NewOrder): string | null {
    if (order.role !== 'order' || !increasesExposure(this.position, order.side, order.quantity)) return null;
    const risk = this.options.risk;
    if (this.haltedDate !== null && this.haltedDate === this.date)
      return 'trading is halted for the rest of the trading day (a daily limit was hit)';
    if (!risk) return null;
    if (risk.tradingWindow && !insideWindow(this.now, { ...risk.tradingWindow, timeZone: this.zone })) {
      return `trades only between ${risk.tradingWindow.start} and ${risk.tradingWindow.end} (${this.zone}): only orders that reduce a position are allowed now`;
    }
    if (risk.maxOrderQuantity !== undefined && order.quantity > risk.maxOrderQuantity) {
      return `may order at most ${risk.maxOrderQuantity} at once; this order is ${order.quantity}`;
    }
    const after = Math.abs(this.position + (order.side === 'buy' ? order.quantity : -order.quantity));
    if (risk.maxPositionSize !== undefined && after > risk.maxPositionSize) {
      return `may hold at most ${risk.maxPositionSize}; this order would make it ${after}`;
    }
    if (risk.maxOrdersPerMinute !== undefined) {
      this.recent = this.recent.filter((t) => t > this.now - 60_000);
      if (this.recent.length >= risk.maxOrdersPerMinute) return `may place at most ${risk.maxOrdersPerMinute} orders a minute`;
      this.recent.push(this.now);
    }
    return null;
  }

  private fill(order: BookOrder, price: number, source: 'quote' | 'alert'): void {
    this.working = this.working.filter((o) => o !== order);
    if (order.group) this.working = this.working.filter((o) => o.group !== order.group);
    const { booked } = this.ledger.book({
      orderId: order.id,
      side: order.side,
      quantity: order.quantity,
      price,
      priceSource: source === 'quote' ? 'quote:backtest' : 'alert',
      role: order.role,
      time: this.now,
    });
    this.options.onFill(booked);
    if (order.bracket && order.role === 'order') this.legs(order, price);
  }

  /** The bracket's legs for a filled entry, resting from the next quote; OCO by their group. */
  private legs(entry: BookOrder, fillPrice: number): void {
    const bracket = entry.bracket!;
    const { tickSize } = this.options.instrument;
    const prices = legPrices(entry.side, fillPrice, tickSize, bracket);
    const side = entry.side === 'buy' ? 'sell' : 'buy';
    const group = `bracket-${++this.groups}`;
    const base = { side, quantity: entry.quantity, group, placedAt: this.seq } as const;
    if (prices.takeProfit !== null) {
      this.working.push({ ...base, id: `${entry.id}:tp`, type: 'limit', limitPrice: prices.takeProfit, role: 'takeProfit' });
    }
    if (prices.stopLoss !== null) {
      const stopLimit = bracket.stopLossType === 'stop_limit';
      const managed =
        bracket.breakEvenTicks !== undefined || bracket.trailingTicks !== undefined
          ? {
              entrySide: entry.side,
              entryPrice: fillPrice,
              tickSize,
              breakEvenTicks: bracket.breakEvenTicks ?? null,
              trailingTicks: bracket.trailingTicks ?? null,
              best: fillPrice,
            }
          : undefined;
      this.working.push({
        ...base,
        id: `${entry.id}:sl`,
        type: stopLimit ? 'stop_limit' : 'stop',
        stopPrice: prices.stopLoss,
        ...(stopLimit ? { limitPrice: bracket.stopLossLimitPrice ?? prices.stopLoss } : {}),
        role: 'stopLoss',
        ...(managed ? { managed } : {}),
      });
    }
  }

  /** Managed stops follow the market after the quote (break-even, then trailing). */
  private follow(quote: ReplayQuote): void {
    for (const order of this.working) {
      if (!order.managed || order.triggered) continue;
      order.managed.best = bestPrice(order.managed, quote);
      const next = managedStopPrice(order.managed, order.stopPrice!);
      if (next !== null) {
        if (order.type === 'stop_limit') order.limitPrice = next;
        order.stopPrice = next;
      }
    }
  }

  private limits(quote: ReplayQuote, previous: number | null): void {
    const risk = this.options.risk;
    if (!risk) return;
    if ((risk.maxDailyLoss !== undefined || risk.maxDailyProfit !== undefined) && this.haltedDate !== this.date) {
      const today = this.todayCents();
      const loss = risk.maxDailyLoss !== undefined && today !== null && today <= -Math.round(risk.maxDailyLoss * 100);
      const profit = risk.maxDailyProfit !== undefined && today !== null && today >= Math.round(risk.maxDailyProfit * 100);
      if (loss || profit) {
        this.haltedDate = this.date;
        this.flatten(`${loss ? 'max daily loss' : 'max daily profit'} hit (today ${(today! / 100).toFixed(2)})`);
        this.options.note('warn', `${loss ? 'max daily loss' : 'max daily profit'} hit: flattened, halted until the next trading day`);
      }
    }
    if (this.flattenMinutes !== null && previous !== null) {
      const local = quote.time + zoneOffsetMs(quote.time, this.zone);
      const midnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
      const at = midnight + this.flattenMinutes * 60_000 - zoneOffsetMs(quote.time, this.zone);
      if (previous < at && quote.time >= at) {
        if (this.position !== 0 || this.working.length) this.options.note('info', `flattenAt ${risk.flattenAt}: flattened`);
        this.flatten(`flattenAt ${risk.flattenAt}`);
      }
    }
  }
}
