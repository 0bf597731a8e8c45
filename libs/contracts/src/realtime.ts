import type { AccountRulesData } from './account-rules.js';

/**
 * The `/ws` stream: every message is an envelope `{"type": ..., "data": ...}`. `DATA` keeps the
 * exact shape of the Trade Manager stream so clients written for it work unchanged.
 */

/** `{"type":"DATA","data":{"ticker":"NQ1!","prices":{"ask":25329.5,"bid":25329.0},"tickinfo":{"step":0.25,"amnt":5.0}}}` */
export interface QuoteData {
  ticker: string;
  prices: { ask: number; bid: number };
  tickinfo: { step: number; amnt: number };
}

/** `all`: every strategy together (id ''). */
export type PnlScope = 'strategy' | 'account' | 'all';

/**
 * Dollars; one per scope per recorder pass, only for scopes that changed. `openPnl` (and so
 * `totalPnl`, `todayPnl`, `drawdown`) is null while a held ticker has no quote (unknown, not zero).
 */
export interface PnlData {
  scope: PnlScope;
  id: string;
  openPnl: number | null;
  realizedPnl: number;
  todayPnl: number | null;
  totalPnl: number | null;
  /** `totalPnl` minus its running maximum since recording began (which starts at 0): zero or negative. */
  drawdown: number | null;
  /** Milliseconds since the epoch, UTC: the recorded second. */
  time: number;
}

export interface PositionData {
  accountId: string;
  strategyId: string | null;
  ticker: string;
  /** Signed: positive long, negative short. */
  quantity: number;
  avgPrice: number | null;
  realizedPnl: number;
  time: number;
}

export interface OrderData {
  id: string;
  clientOrderId: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  type: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
  filledQuantity: number;
  avgFillPrice: number | null;
  reason: string | null;
  time: number;
}

export interface FillData {
  id: string;
  orderId: string;
  /**
   * The order's client id, as in its ORDER messages: for an alert's order it begins with the
   * webhook event's id, so a tool that reads only FILL can tell which alert a fill answers.
   */
  clientOrderId: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  price: number;
  commission: number;
  realizedPnl: number;
  /** `quote:<feed>`, `alert` or `simulated` for a paper fill; `broker` for a real broker's. */
  priceSource: string;
  time: number;
}

export interface TradeData {
  id: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  entryTime: number;
  exitTime: number;
  pnl: number;
  /** Where each side's price came from (see FillData.priceSource). */
  entryPriceSource: string;
  exitPriceSource: string;
}

export interface LogData {
  id: number | null;
  time: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  category: string;
  strategyId: string | null;
  message: string;
}

export type StrategyStatus = 'enabled' | 'disabled' | 'errored';

export interface StrategyData {
  id: string;
  name: string;
  status: StrategyStatus;
  reason: string | null;
  time: number;
}

export interface FeedData {
  name: string;
  connected: boolean;
  /** Milliseconds since the feed's last quote; null before the first one. */
  lastQuoteAgeMs: number | null;
  reconnects: number;
  error: string | null;
  /** A feed of demo prices (the simulated feed), and whether the trader has it on. */
  simulated?: boolean;
  on?: boolean;
}

/** A broker plugin's connection and login, as it last reported them. */
export interface BrokerData {
  /** The broker plugin. */
  name: string;
  /** The login or account the report is about; null: the whole plugin. */
  account: string | null;
  connected: boolean;
  error: string | null;
  /** Epoch ms; null when unknown. */
  loginExpiresAt: number | null;
  time: number;
}

export interface ErrorData {
  message: string;
}

/** The answer to SUBSCRIBE: what the client now gets (null: everything). */
export interface SubscribedData {
  channels: Channel[] | null;
  tickers: string[] | null;
  /** Tickers kept quoted by the client's `WATCH` (they do not narrow its stream). */
  watching: string[];
}

/** Every message the server sends, by type. */
export interface ServerMessageMap {
  DATA: QuoteData;
  PNL: PnlData;
  POSITION: PositionData;
  ORDER: OrderData;
  FILL: FillData;
  TRADE: TradeData;
  LOG: LogData;
  STRATEGY: StrategyData;
  FEED: FeedData;
  BROKER: BrokerData;
  /** An account's prop-firm rules: live margins and locks. */
  ACCOUNT_RULES: AccountRulesData;
  ERROR: ErrorData;
  SUBSCRIBED: SubscribedData;
}

export type ServerMessageType = keyof ServerMessageMap;
export type ServerMessage = { [K in ServerMessageType]: { type: K; data: ServerMessageMap[K] } }[ServerMessageType];

/** What a client may narrow its stream to; `ERROR` and `SUBSCRIBED` always reach it. */
export type Channel = Exclude<ServerMessageType, 'ERROR' | 'SUBSCRIBED'>;
export const CHANNELS: readonly Channel[] = [
  'DATA',
  'PNL',
  'POSITION',
  'ORDER',
  'FILL',
  'TRADE',
  'LOG',
  'STRATEGY',
  'FEED',
  'BROKER',
  'ACCOUNT_RULES',
];

/** `{"type":"SUBSCRIBE","channels":["DATA","PNL"],"tickers":["NQ1!"]}`: omitted fields mean everything. */
export interface SubscribeMessage {
  type: 'SUBSCRIBE';
  channels?: Channel[];
  tickers?: string[];
}

/**
 * `{"type":"WATCH","tickers":["NQ1!"]}`: keep these tickers quoted for this client without narrowing
 * what it receives (a page that shows one ticker on a socket shared with others); `[]` lets go.
 */
export interface WatchMessage {
  type: 'WATCH';
  tickers: string[];
}

export type ClientMessage = SubscribeMessage | WatchMessage;
