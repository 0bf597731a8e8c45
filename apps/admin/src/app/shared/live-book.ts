import type { OrderData, OrderView, PositionData, PositionView } from '@tradeloop/contracts';

/** An order as the working-order lists show it: what the REST listing and a live `ORDER` both tell. */
export type WorkingOrder = Pick<
  OrderView,
  | 'id'
  | 'accountId'
  | 'strategyId'
  | 'ticker'
  | 'side'
  | 'quantity'
  | 'type'
  | 'limitPrice'
  | 'stopPrice'
  | 'status'
  | 'filledQuantity'
  | 'avgFillPrice'
  | 'reason'
  | 'createdAt'
  | 'updatedAt'
>;

export const isWorking = (o: { status: OrderView['status'] }): boolean => o.status === 'working' || o.status === 'pending';

/**
 * The working orders after a live `ORDER`: a working one on top (its prices and when it was made
 * kept from the listing: the message has neither), a filled, cancelled or rejected one gone.
 */
export function withOrderUpdate(list: readonly WorkingOrder[], o: OrderData): WorkingOrder[] {
  const previous = list.find((x) => x.id === o.id);
  const others = list.filter((x) => x.id !== o.id);
  if (!isWorking(o)) return others;
  const { id, accountId, strategyId, ticker, side, quantity, type, status, filledQuantity, avgFillPrice, reason } = o;
  const at = new Date(o.time).toISOString();
  return [
    {
      id,
      accountId,
      strategyId,
      ticker,
      side,
      quantity,
      type,
      status,
      filledQuantity,
      avgFillPrice,
      reason,
      limitPrice: previous?.limitPrice ?? null,
      stopPrice: previous?.stopPrice ?? null,
      createdAt: previous?.createdAt ?? at,
      updatedAt: at,
    },
    ...others,
  ];
}

/**
 * The positions after a live `POSITION`: the one of the same account, owner and ticker replaced
 * (a new one added), its mark and open P&L kept until the next load (the message carries neither).
 */
export function withPositionUpdate(list: readonly PositionView[], p: PositionData): PositionView[] {
  const same = (x: PositionView) => x.accountId === p.accountId && x.strategyId === p.strategyId && x.ticker === p.ticker;
  const previous = list.find(same);
  return [
    ...list.filter((x) => !same(x)),
    {
      id: previous?.id ?? `${p.accountId}|${p.strategyId}|${p.ticker}`,
      accountId: p.accountId,
      strategyId: p.strategyId,
      ticker: p.ticker,
      quantity: p.quantity,
      side: p.quantity > 0 ? 'long' : p.quantity < 0 ? 'short' : 'flat',
      avgPrice: p.avgPrice,
      markPrice: previous?.markPrice ?? null,
      openPnl: previous?.openPnl ?? null,
      realizedPnl: p.realizedPnl,
      updatedAt: new Date(p.time).toISOString(),
    },
  ];
}
