import type { QuantityType } from '@tradeloop/contracts';

export interface SizingInput {
  quantityType: QuantityType;
  /** The alert's `quantity`: contracts, dollars or percent, as the type says. */
  value: number;
  /** The price the entry is expected at (limit price, else the alert's price, else the quote). */
  entryPrice: number | null;
  /** The stop loss's price for that entry, for the risk types. */
  stopPrice: number | null;
  /** Dollars one point of price is worth per contract or share (NQ 20, MNQ 2, a stock 1). */
  pointValue: number;
  /** Futures trade whole contracts; other symbols may be fractional. */
  wholeUnits: boolean;
  /** The account's balance in dollars (open P&L left out), for the percent-of-equity types. */
  equity: number | null;
  /** The signed position held now, for percent_of_position. */
  position: number;
}

export type Sized = { ok: true; quantity: number; explanation: string } | { ok: false; error: string };

const dollars = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const plain = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 8 });

/** Rounded down: whole units, or 8 decimals for fractional symbols (no float dust lets 9.999… become 9). */
function roundDown(quantity: number, whole: boolean): number {
  const scale = whole ? 1 : 1e8;
  return Math.floor(quantity * scale + 1e-6) / scale;
}

/**
 * The order quantity an alert's `quantityType` means, with the arithmetic in words:
 *
 * - `fixed_quantity`: the value itself.
 * - `dollar_amount`: value ÷ (entry price × point value).
 * - `percent_of_equity`: equity × value % ÷ (entry price × point value).
 * - `risk_dollar_amount`: value ÷ (|entry − stop| × point value): the most a stop-out loses.
 * - `risk_percent`: the same with equity × value % as the risk.
 * - `percent_of_position`: |position| × value %.
 *
 * Rounded down (whole contracts for futures); a result of 0 is refused with the reason.
 */
export function sizeQuantity(input: SizingInput): Sized {
  const { quantityType, value, entryPrice, stopPrice, pointValue, wholeUnits, equity, position } = input;
  const unit = wholeUnits ? 'contracts' : 'units';
  let exact: number;
  let explanation: string;
  const needEntry = (): string | null =>
    entryPrice === null || !(entryPrice > 0)
      ? `${quantityType} needs a price to size from: send price or signalPrice, or a limitPrice`
      : null;
  const needEquity = (): string | null =>
    equity === null || !(equity > 0) ? `${quantityType} needs the account's equity, and it has none (${equity ?? 'unknown'})` : null;
  switch (quantityType) {
    case 'fixed_quantity':
      exact = value;
      explanation = `${plain(value)} as sent`;
      break;
    case 'dollar_amount':
    case 'percent_of_equity': {
      const missing = needEntry() ?? (quantityType === 'percent_of_equity' ? needEquity() : null);
      if (missing) return { ok: false, error: missing };
      const amount = quantityType === 'dollar_amount' ? value : (equity! * value) / 100;
      const perUnit = entryPrice! * pointValue;
      exact = amount / perUnit;
      explanation =
        (quantityType === 'percent_of_equity' ? `${plain(value)} % of ${dollars(equity!)} = ${dollars(amount)}; ` : '') +
        `${dollars(amount)} ÷ (${plain(entryPrice!)} × ${dollars(pointValue)} a point) = ${plain(exact)}`;
      break;
    }
    case 'risk_dollar_amount':
    case 'risk_percent': {
      const missing = needEntry() ?? (quantityType === 'risk_percent' ? needEquity() : null);
      if (missing) return { ok: false, error: missing };
      if (stopPrice === null) return { ok: false, error: `${quantityType} needs a stopLoss to measure the risk from` };
      const distance = Math.abs(entryPrice! - stopPrice);
      if (!(distance > 0)) return { ok: false, error: `${quantityType}: the stop loss (${plain(stopPrice)}) is at the entry price` };
      const risk = quantityType === 'risk_dollar_amount' ? value : (equity! * value) / 100;
      exact = risk / (distance * pointValue);
      explanation =
        (quantityType === 'risk_percent' ? `${plain(value)} % of ${dollars(equity!)} = ${dollars(risk)} at risk; ` : '') +
        `${dollars(risk)} ÷ (${plain(Number(distance.toFixed(10)))} points to the stop × ${dollars(pointValue)} a point) = ${plain(exact)}`;
      break;
    }
    case 'percent_of_position':
      if (position === 0) return { ok: false, error: 'percent_of_position: there is no open position to take a percent of' };
      exact = (Math.abs(position) * value) / 100;
      explanation = `${plain(value)} % of the position of ${plain(Math.abs(position))} = ${plain(exact)}`;
      break;
  }
  const quantity = roundDown(exact, wholeUnits);
  if (!(quantity > 0)) {
    return { ok: false, error: `${quantityType}: ${explanation}, which rounds down to 0 ${unit}: nothing to trade` };
  }
  return {
    ok: true,
    quantity,
    explanation: quantity === exact ? explanation : `${explanation}, rounded down to ${plain(quantity)} ${unit}`,
  };
}
