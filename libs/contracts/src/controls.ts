/** Where a take profit or stop loss sits: ticks or points from the fill, a percent of it, or a price. */
export type ExitSpec = { ticks: number } | { points: number } | { percent: number } | { price: number };

/** A strategy's default exits, applied to every entry its alerts open (an alert's own exits win). */
export interface StrategyExits {
  takeProfit?: ExitSpec;
  stopLoss?: ExitSpec;
  /** Move the stop to the entry once the market is this many ticks in profit. */
  breakEvenTicks?: number;
  /** Trail the stop this many ticks behind the best price since the entry. */
  trailingTicks?: number;
}

/** Hard limits of a strategy or an account; dollars, contracts, local `HH:MM` times. */
export interface RiskLimits {
  /** Largest absolute position per ticker. */
  maxPositionSize?: number;
  /** Largest single order that adds to a position (closing orders always pass). */
  maxOrderQuantity?: number;
  maxOrdersPerMinute?: number;
  /** Today's P&L at or below −this: flatten, cancel, and halt until the next trading day. */
  maxDailyLoss?: number;
  /** Today's P&L at or above this: the same, to keep a good day. */
  maxDailyProfit?: number;
  /** Orders that add to a position only inside this window; outside it only closing orders pass. */
  tradingWindow?: { start: string; end: string };
  /** Flatten everything and cancel working orders at this time each day (e.g. `15:55`). */
  flattenAt?: string;
  /** Zone of the times above; the trading zone when absent. */
  timeZone?: string;
}
