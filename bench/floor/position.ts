import type { PositionRow } from './store.js';

/**
 * A position after a fill of `quantity` (signed: a sell is negative) at `priceCents`. Closing
 * quantity realizes its share of the open cost; the share is rounded to the cent (the floor needs
 * the write, not the accounting Tradeloop's ledger does).
 */
export function applyFill(position: PositionRow, quantity: number, priceCents: number): PositionRow {
  const { quantity: held, costCents } = position;
  if (held === 0 || Math.sign(held) === Math.sign(quantity)) {
    return { ...position, quantity: held + quantity, costCents: costCents + quantity * priceCents };
  }
  const closing = Math.min(Math.abs(quantity), Math.abs(held));
  const closedCost = Math.round((costCents * closing) / Math.abs(held));
  const realized = Math.sign(held) * (closing * priceCents) - closedCost;
  const rest = held + quantity;
  const restCost = Math.sign(rest) === Math.sign(held) || rest === 0 ? costCents - closedCost : rest * priceCents;
  return { ...position, quantity: rest, costCents: rest === 0 ? 0 : restCost, realizedCents: position.realizedCents + realized };
}
