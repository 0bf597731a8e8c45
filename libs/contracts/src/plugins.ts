import type { Instrument, Quote } from './market.js';
import type { BrokerFill, OrderAck, OrderRequest, OrderUpdate } from './orders.js';

/** Bumped on any breaking change to the interfaces below; the server refuses other versions. */
export const PLUGIN_API_VERSION = 1;

export type PluginKind = 'broker' | 'datafeed';

/**
 * The `tradeloop` key of a plugin's package.json.
 * @example { "kind": "broker", "apiVersion": 1, "entry": "dist/index.js", "displayName": "Paper broker" }
 */
export interface PluginManifest {
  kind: PluginKind;
  apiVersion: number;
  /** Module to import, relative to the plugin folder; its default export is a PluginModule. */
  entry: string;
  displayName?: string;
  /** Default settings; `plugins.<name>` in the server config overrides them key by key. */
  defaults?: Record<string, unknown>;
  /** Data feeds: quote a ticker only when no other feed supports it (the simulated feed). */
  fallback?: boolean;
}

export interface PluginLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PluginContextBase {
  /** The plugin's settings: manifest defaults merged with server config. */
  config: Record<string, unknown>;
  logger: PluginLogger;
  /** Instrument for a ticker in any TradingView spelling (`CME_MINI:NQ1!`, `NQZ2026`). */
  instrument(ticker: string): Instrument;
}

export interface QuoteSource {
  /** Latest quote for a canonical ticker, or undefined if none has arrived yet. */
  latest(ticker: string): Quote | undefined;
  /** Called for every quote from every feed; returns the unsubscribe function. */
  onQuote(listener: (quote: Quote) => void): () => void;
}

export interface BrokerContext extends PluginContextBase {
  quotes: QuoteSource;
  /** Book a fill. Await it: the ledger has written it when the promise resolves. */
  reportFill(fill: BrokerFill): Promise<void>;
  /** Report a status change of an order after its ack. */
  reportOrderUpdate(update: OrderUpdate): Promise<void>;
}

export interface BrokerPlugin {
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Idempotent per clientOrderId. Rejections are an ack with status `rejected`, not a throw. */
  placeOrder(order: OrderRequest): Promise<OrderAck>;
  /** Cancels a working order; resolves to false when there was nothing working to cancel. */
  cancelOrder(clientOrderId: string): Promise<boolean>;
}

/** A feed's own account of its connection, shown in /api/health and as `FEED` on /ws. */
export interface FeedStatusReport {
  connected: boolean;
  /** Why it is not connected, in words. */
  error?: string | null;
  /** Reconnections since start. */
  reconnects?: number;
}

export interface DataFeedContext extends PluginContextBase {
  publish(quote: Quote): void;
  /**
   * For feeds with a connection to lose: report each change. A feed that never calls this is
   * shown as connected once started.
   */
  reportStatus(status: FeedStatusReport): void;
}

export interface DataFeedPlugin {
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** True when this feed can quote the ticker. */
  supports(ticker: string): boolean;
  /** Start quoting canonical tickers; the first quote of each should follow promptly. */
  subscribe(tickers: string[]): Promise<void>;
  unsubscribe(tickers: string[]): Promise<void>;
}

export interface BrokerPluginModule {
  kind: 'broker';
  apiVersion: number;
  create(context: BrokerContext): BrokerPlugin;
}

export interface DataFeedPluginModule {
  kind: 'datafeed';
  apiVersion: number;
  create(context: DataFeedContext): DataFeedPlugin;
}

/** The default export of a plugin's entry module. */
export type PluginModule = BrokerPluginModule | DataFeedPluginModule;
