import type { OrderSide } from '../orders.js';
import type { IsoTime } from './common.js';

/**
 * The stages an alert's order passes, in order: TradingView's own time (the alert's `time`, e.g.
 * `{{timenow}}`), received by the HTTP server, accepted (on disk), handled by the engine, sent to
 * the broker, acknowledged by it, first fill booked, pushed on `/ws`.
 */
export const TIMELINE_STAGES = ['signal', 'received', 'accepted', 'handled', 'sent', 'acknowledged', 'filled', 'pushed'] as const;
export type TimelineStage = (typeof TIMELINE_STAGES)[number];

/**
 * Spans between stages, in milliseconds: `delivery` is TradingView's (signal → received, to the
 * second at best: `{{timenow}}` has no milliseconds), `intake`, `queue`, `engine` and `push` are
 * Tradeloop's own, `broker` (sent → acknowledged) and `fill` (sent → filled) the broker's.
 */
export const LATENCY_SPANS = ['delivery', 'intake', 'queue', 'engine', 'broker', 'fill', 'push', 'tradeloop'] as const;
export type LatencySpan = (typeof LATENCY_SPANS)[number];

/** `GET /api/analytics/timelines`: one order's path from the alert to the screen (a page, newest first). */
export interface OrderTimelineView {
  orderId: string;
  eventId: string | null;
  strategyId: string | null;
  accountId: string;
  ticker: string;
  side: OrderSide;
  /** Each stage's instant, null where it did not happen (or was not seen by this server). */
  stamps: Record<TimelineStage, IsoTime | null>;
  /** Milliseconds; `tradeloop` is received → sent (everything Tradeloop did before the broker had it). */
  spans: Record<LatencySpan, number | null>;
  /** What slippage is measured from, and where it came from: the alert (`signal`) or the quote at acceptance (`quote`). */
  referencePrice: number | null;
  referenceSource: 'signal' | 'quote' | null;
}

export interface LatencyStageView {
  span: LatencySpan;
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Buckets from `fromMs` (inclusive) to the next bucket's. */
  histogram: { fromMs: number; count: number }[];
}

/** Slippage summed over one group of fills: dollars and ticks (negative is worse than the signal). */
export interface SlippageGroupView {
  key: string;
  fills: number;
  /** Dollars over all the group's fills. */
  slippage: number;
  /** Per fill, on average. */
  averageTicks: number;
}

export interface SlippageView {
  fills: number;
  slippage: number;
  averageTicks: number;
  histogram: { fromTicks: number; count: number }[];
  byStrategy: SlippageGroupView[];
  byAccount: SlippageGroupView[];
  byInstrument: SlippageGroupView[];
  /** Hour of day (00–23) in the trading calendar's zone. */
  byHour: SlippageGroupView[];
}

/** Win rate and expectancy of a group of trades (dollars). */
export interface TradeGroupStatsView {
  key: string;
  trades: number;
  wins: number;
  winRate: number;
  pnl: number;
  expectancy: number;
}

/** One point of the MFE/MAE scatter (dollars). */
export interface ExcursionPointView {
  tradeId: string;
  ticker: string;
  mfe: number;
  mae: number;
  pnl: number;
  rMultiple: number | null;
}

/** `GET /api/analytics?strategyId=|accountId=&from=&to=&tag=`: the Analytics tab. */
export interface AnalyticsView {
  latency: LatencyStageView[];
  slippage: SlippageView;
  /** The newest trades' excursions (at most 1,000). */
  excursions: ExcursionPointView[];
  byTag: TradeGroupStatsView[];
  byHour: TradeGroupStatsView[];
}

/** A trade's excursions (dollars and ticks), as `GET /api/analytics/trades/:id` and the CSV give them. */
export interface TradeExcursionView {
  tradeId: string;
  mfeTicks: number;
  mfe: number;
  mfePrice: number;
  mfeTime: IsoTime;
  maeTicks: number;
  mae: number;
  maePrice: number;
  maeTime: IsoTime;
  holdingMs: number;
  stopPrice: number | null;
  risk: number | null;
  rMultiple: number | null;
  /** False when the server saw quotes only from some time after the entry (a restart): the figures cover less than the trade. */
  complete: boolean;
}

/** The column order of `GET /api/analytics/trades.csv` (one header line, then one line per trade). */
export const TRADE_CSV_COLUMNS = [
  'id',
  'accountId',
  'strategyId',
  'ticker',
  'direction',
  'quantity',
  'entryPrice',
  'exitPrice',
  'entryTime',
  'exitTime',
  'holdingSeconds',
  'grossPnl',
  'commission',
  'pnl',
  'entryPriceSource',
  'exitPriceSource',
  'mfeTicks',
  'mfe',
  'mfeTime',
  'maeTicks',
  'mae',
  'maeTime',
  'stopPrice',
  'risk',
  'rMultiple',
  'excursionComplete',
  'tags',
  'note',
] as const;
