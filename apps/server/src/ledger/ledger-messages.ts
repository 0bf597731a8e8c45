import type { FillData, PositionData, TradeData } from '@tradeloop/contracts';
import { toDollars } from '@tradeloop/domain';
import type { Fill } from './fill.entity.js';
import type { Position } from './position.entity.js';
import type { Trade } from './trade.entity.js';

/** Manual trades have no strategy; positions and trades key them under ''. */
export const NO_STRATEGY = '';
const strategyOf = (id: string | null) => (id === NO_STRATEGY ? null : id);

/** The `/ws` views of the ledger's rows: dollars, not cents; null, not '', for no strategy. */
export const fillData = (f: Fill, clientOrderId: string): FillData => ({
  id: f.id,
  orderId: f.orderId,
  clientOrderId,
  accountId: f.accountId,
  strategyId: f.strategyId,
  ticker: f.ticker,
  side: f.side,
  quantity: f.quantity,
  price: f.price,
  commission: toDollars(f.commissionCents),
  realizedPnl: toDollars(f.realizedCents),
  priceSource: f.priceSource,
  time: f.time,
});

export const positionData = (p: Position): PositionData => ({
  accountId: p.accountId,
  strategyId: strategyOf(p.strategyId),
  ticker: p.ticker,
  quantity: p.quantity,
  avgPrice: p.avgPrice,
  realizedPnl: toDollars(p.realizedCents),
  time: p.updatedAt,
});

export const tradeData = (t: Trade): TradeData => ({
  id: t.id,
  accountId: t.accountId,
  strategyId: strategyOf(t.strategyId),
  ticker: t.ticker,
  direction: t.direction,
  quantity: t.quantity,
  entryPrice: t.entryPrice,
  exitPrice: t.exitPrice,
  entryTime: t.entryTime,
  exitTime: t.exitTime,
  pnl: toDollars(t.pnlCents),
  entryPriceSource: t.entryPriceSource,
  exitPriceSource: t.exitPriceSource,
});
