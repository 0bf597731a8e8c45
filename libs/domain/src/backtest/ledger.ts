import type { Instrument, OrderSide } from '@tradeloop/contracts';
import { toCents } from '../money.js';
import { applyFill, averagePrice, EMPTY_POSITION, netQuantity, openPnlCents, type ClosedTrade, type PositionState } from '../pnl.js';
import type { BookRole } from './book.js';

/** A fill the backtest booked. */
export interface BookedFill {
  id: string;
  orderId: string;
  side: OrderSide;
  quantity: number;
  price: number;
  priceSource: string;
  commissionCents: number;
  realizedCents: number;
  role: BookRole;
  time: number;
  /** Position after it. */
  position: number;
}

/**
 * The backtest's own ledger: one position in one ticker, booked FIFO by the same `applyFill` the
 * live ledger uses, in memory. It never reaches the database.
 */
export class BacktestLedger {
  state: PositionState = EMPTY_POSITION;
  readonly fills: BookedFill[] = [];
  readonly trades: ClosedTrade[] = [];
  realizedCents = 0;

  constructor(
    private readonly instrument: Instrument,
    private readonly commissionPerContract: number,
  ) {}

  get position(): number {
    return netQuantity(this.state);
  }

  get averagePrice(): number | null {
    return averagePrice(this.state);
  }

  openCents(quote: { bid: number; ask: number } | undefined): number | null {
    if (this.state.lots.length === 0) return 0;
    return quote ? openPnlCents(this.state, quote, this.instrument) : null;
  }

  book(fill: { orderId: string; side: OrderSide; quantity: number; price: number; priceSource: string; role: BookRole; time: number }): {
    booked: BookedFill;
    trades: ClosedTrade[];
  } {
    const commissionCents = toCents(this.commissionPerContract * fill.quantity);
    const result = applyFill(this.state, { ...fill, commissionCents }, this.instrument);
    this.state = result.state;
    this.realizedCents += result.realizedCents;
    this.trades.push(...result.trades);
    const booked: BookedFill = {
      id: `fill-${this.fills.length + 1}`,
      ...fill,
      commissionCents,
      realizedCents: result.realizedCents,
      position: netQuantity(result.state),
    };
    this.fills.push(booked);
    return { booked, trades: result.trades };
  }
}
