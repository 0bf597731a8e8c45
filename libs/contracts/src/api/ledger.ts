import type { OrderSide } from '../orders.js';
import type { IsoTime } from './common.js';

/**
 * `GET /api/positions`: one per account, owner and ticker. The owner (`strategyId`) is the
 * strategy, the id of one of its links (a copy to another account: its positions are its own), or
 * null for manual trades. Longs are marked at the bid, shorts at the ask.
 */
export interface PositionView {
  id: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  /** Signed: positive long, negative short. */
  quantity: number;
  side: 'long' | 'short' | 'flat';
  avgPrice: number | null;
  /** Null while flat or before the ticker's first quote. */
  markPrice: number | null;
  /** Dollars; null before the ticker's first quote (unknown, not zero). */
  openPnl: number | null;
  realizedPnl: number;
  updatedAt: IsoTime;
}

/** `GET /api/fills`, newest first (a page); dollars. */
export interface FillView {
  id: string;
  orderId: string;
  accountId: string;
  /** The strategy whose order it filled; null for a manual order. */
  strategyId: string | null;
  ticker: string;
  side: OrderSide;
  quantity: number;
  price: number;
  /** `quote:<feed>`, `alert` or `simulated` for a paper fill; `broker` for a real broker's. */
  priceSource: string;
  commission: number;
  /** Realized P&L this fill booked, net of the commissions of the trades it closed. */
  realizedPnl: number;
  time: IsoTime;
}

/** `GET /api/trades`: a closed round trip, matched FIFO, newest exit first (a page); dollars. */
export interface TradeView {
  id: string;
  accountId: string;
  /** As for positions: the strategy, one of its links, or null for manual trades. */
  strategyId: string | null;
  ticker: string;
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  entryTime: IsoTime;
  exitTime: IsoTime;
  grossPnl: number;
  commission: number;
  /** Net of commissions. */
  pnl: number;
  /** Where each side's fill price came from (see `FillView.priceSource`; `unrecorded` before sources were kept). */
  entryPriceSource: string;
  exitPriceSource: string;
}
