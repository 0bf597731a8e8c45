import type { Instrument, Quote } from './market.js';
import type { BrokerFill, OrderAck, OrderRequest, OrderSide, OrderType, OrderUpdate } from './orders.js';

/** Bumped on any breaking change to the interfaces below; the server refuses other versions. */
export const PLUGIN_API_VERSION = 1;

export type PluginKind = 'broker' | 'datafeed';

/**
 * One field of a broker account's settings, in JSON Schema's words (a small subset of it).
 * `writeOnly: true` makes it a secret: sent in the account's `secrets`, sealed at rest, never
 * returned by the API or shown by the admin.
 */
export interface AccountFieldSchema {
  type: 'string' | 'number' | 'integer' | 'boolean';
  /** The label in the admin's form. */
  title?: string;
  /** Help under the field: where to find the value, what it changes. */
  description?: string;
  /** The only values allowed (the admin offers a choice). */
  enum?: (string | number)[];
  default?: string | number | boolean;
  /** A secret (API key, password): goes in `secrets`, sealed, never echoed back. */
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  /** `uri`: an http(s) address. */
  format?: 'uri';
  /** Shown in the form only when another field has this value (`{ "environment": "live" }`). */
  showWhen?: Record<string, string | number | boolean>;
}

/**
 * What an account of a broker plugin takes (manifest `accountSettings`): the admin's account form
 * renders one field per property, and the server checks an account against it when one is created
 * or changed (a 400 names each bad field). Secret fields (`writeOnly`) go in `secrets`.
 * @example { "brokerAccountId": { "title": "Account name" }, "properties": { "userName": { "type": "string" }, "apiKey": { "type": "string", "writeOnly": true } }, "required": ["userName", "apiKey"] }
 */
export interface AccountSettingsSchema {
  /** How this broker names an account (the form's label and help for `brokerAccountId`). */
  brokerAccountId?: { title?: string; description?: string };
  properties: Record<string, AccountFieldSchema>;
  /** Fields an account must have (settings and secrets alike). */
  required?: string[];
  /** Sentences shown under the form. */
  notes?: string[];
}

/**
 * The `tradeloop` key of a plugin's package.json.
 * @example { "kind": "broker", "apiVersion": 1, "entry": "dist/index.js", "displayName": "Paper broker" }
 * @example { "kind": ["broker", "datafeed"], "apiVersion": 1, "entry": "dist/index.js", "displayName": "Tradovate" }
 */
export interface PluginManifest {
  /** One kind, or both for a package that is a broker and a data feed over one connection. */
  kind: PluginKind | PluginKind[];
  apiVersion: number;
  /** Module to import, relative to the plugin folder; its default export is a PluginModule. */
  entry: string;
  displayName?: string;
  /** Default settings; `plugins.<name>` in the server config overrides them key by key. */
  defaults?: Record<string, unknown>;
  /** Data feeds: quote a ticker only when no other feed supports it (the simulated feed). */
  fallback?: boolean;
  /**
   * Data feeds: its prices are made up (demo data). Paper fills prefer an alert's price to them,
   * every fill at one says so, and the trader can switch the feed off in Settings.
   */
  simulated?: boolean;
  /** Brokers: the fields an account takes, secrets marked `writeOnly` (see AccountSettingsSchema). */
  accountSettings?: AccountSettingsSchema;
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

/**
 * An account an admin created for this broker plugin (`POST /api/accounts` with `broker` set to the
 * plugin's folder name), with its credentials decrypted. Secrets are for talking to the broker
 * only: never log them or put them in an error message.
 */
export interface BrokerAccount {
  /** Tradeloop's id of the account. */
  id: string;
  name: string;
  /** The account as the broker knows it: what `OrderRequest.brokerAccountId` carries. */
  brokerAccountId: string;
  /** Plain settings (environment, user name, app id); not secret. */
  settings: Record<string, string | number | boolean | null>;
  /** Decrypted secrets (password, API secret). */
  secrets: Record<string, string>;
}

/**
 * An order the server recorded for a broker plugin and has not seen settle: written before the
 * plugin was asked to place it, with the broker's order id once the plugin's answer was stored. A
 * plugin that keeps nothing across a restart recognises its own orders at the broker by these.
 */
export interface RecordedOrder {
  clientOrderId: string;
  brokerAccountId: string;
  /** The plugin's `OrderAck.brokerOrderId`, or null when no answer was stored (a crash while it was being placed). */
  brokerOrderId: string | null;
  ticker: string;
  side: OrderSide;
  quantity: number;
  type: OrderType;
  limitPrice: number | null;
  stopPrice: number | null;
  /** Epoch ms when it was recorded, just before it was sent. */
  createdAt: number;
}

/**
 * A broker's own account of its connection and login (optional to send): shown as `BROKER` on
 * `/ws`, and told to notification channels when the connection drops or comes back and when the
 * login is about to expire.
 */
export interface BrokerStatusReport {
  /** The login or account it is about (a user name, an account id); absent: the whole plugin. */
  account?: string | null;
  connected: boolean;
  /** Why it is not connected, in words. */
  error?: string | null;
  /** When the current login (access token) expires, epoch ms; null or absent: unknown. */
  loginExpiresAt?: number | null;
}

export interface BrokerContext extends PluginContextBase {
  quotes: QuoteSource;
  /** This plugin's accounts, oldest first, read fresh from the database on every call. */
  accounts(): Promise<BrokerAccount[]>;
  /** Called after one of this plugin's accounts is created or changed; returns the unsubscribe function. */
  onAccountsChanged(listener: () => void): () => void;
  /** Book a fill. Await it: the ledger has written it when the promise resolves. */
  reportFill(fill: BrokerFill): Promise<void>;
  /** Report a status change of an order after its ack. */
  reportOrderUpdate(update: OrderUpdate): Promise<void>;
  /** This plugin's orders on record as pending or working (optional: servers before it had none). */
  openOrders?(): Promise<RecordedOrder[]>;
  /** Report the connection and the login's expiry on each change (optional: servers before it had none). */
  reportStatus?(status: BrokerStatusReport): void;
}

/** Exit prices attached to an entry order: both legs become working when the entry fills, and one filling cancels the other. */
export interface BracketExits {
  /** Limit price that takes profit. */
  takeProfit?: number;
  /** Stop price that limits the loss. */
  stopLoss?: number;
}

export interface BracketAck {
  entry: OrderAck;
  /** Broker order ids of the exit legs, when the broker has told them. Their fills carry `<clientOrderId>:tp` and `<clientOrderId>:sl`. */
  takeProfitOrderId?: string;
  stopLossOrderId?: string;
}

/** What a broker holds for one account, as the broker reports it. */
export interface BrokerAccountSnapshot {
  brokerAccountId: string;
  positions: { ticker: string; contract: string; quantity: number; avgPrice: number | null }[];
  workingOrders: { brokerOrderId: string; clientOrderId: string | null; ticker: string; contract: string; side: OrderSide }[];
  fills: BrokerFill[];
  /** Dollars, when the broker reports them. */
  cash: { balance: number | null; realizedPnl: number | null; openPnl: number | null; netLiquidation: number | null } | null;
}

export interface BrokerPlugin {
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Idempotent per clientOrderId. Rejections are an ack with status `rejected`, not a throw. */
  placeOrder(order: OrderRequest): Promise<OrderAck>;
  /** Cancels a working order; resolves to false when there was nothing working to cancel. */
  cancelOrder(clientOrderId: string): Promise<boolean>;
  /** Optional: an entry with OCO exits, idempotent per clientOrderId like placeOrder. */
  placeBracket?(order: OrderRequest, exits: BracketExits): Promise<BracketAck>;
  /** Optional: closes the account's position in the ticker (every position when none is named) and cancels its working orders there. */
  flatten?(brokerAccountId: string, ticker?: string): Promise<void>;
  /** Optional: positions, working orders, today's fills and cash as the broker reports them. */
  snapshot?(brokerAccountId: string): Promise<BrokerAccountSnapshot>;
  /**
   * Optional: what one tick of a canonical ticker is worth at this broker (tick size, tick value),
   * for instruments outside the server's futures catalog — a contract the catalog lacks, a stock, a
   * coin. The server asks before it sends an order in such a ticker and prices its fills and P&L
   * with the answer; undefined (or a throw) leaves the catalog's default. Answer from a cache.
   */
  instrument?(ticker: string): Promise<Instrument | undefined>;
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
  /** Simulated feeds: move the ticker's prices to one seen elsewhere (an alert's), so demo quotes stay near the market. */
  anchor?(ticker: string, price: number): void;
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

/**
 * A package that is both a broker and a data feed (manifest `"kind": ["broker", "datafeed"]`). One
 * create() call gets both contexts and returns both halves, so they can share one login and one
 * connection to the broker.
 */
export interface BrokerAndDataFeedPluginModule {
  kind: ['broker', 'datafeed'];
  apiVersion: number;
  create(contexts: { broker: BrokerContext; datafeed: DataFeedContext }): { broker: BrokerPlugin; datafeed: DataFeedPlugin };
}

/** The default export of a plugin's entry module. */
export type PluginModule = BrokerPluginModule | DataFeedPluginModule | BrokerAndDataFeedPluginModule;

/** The kinds a manifest or module names, as a list. */
export const pluginKinds = (kind: PluginKind | readonly PluginKind[] | null | undefined): PluginKind[] =>
  kind == null ? [] : Array.isArray(kind) ? [...(kind as readonly PluginKind[])] : [kind as PluginKind];
