import type { AccountSettingsSchema, PluginKind } from '../plugins.js';
import type { FeedData } from '../realtime.js';
import type { IsoTime } from './common.js';

/** `remote`: known from its manifest, run by the worker processes (the answering process is an api one). */
export type PluginState = 'loaded' | 'started' | 'failed' | 'stopped' | 'remote';

/** A plugin as health lists it. */
export interface PluginInfo {
  /** Its folder's name. */
  name: string;
  /** One kind, both (`["broker", "datafeed"]`), or null when its manifest could not be read. */
  kind: PluginKind | PluginKind[] | null;
  displayName: string;
  status: PluginState;
  error: string | null;
  /** Brokers: what an account of it takes, from its manifest (null when it does not say). */
  accountSettings: AccountSettingsSchema | null;
}

export type HealthStatus = 'ok' | 'degraded' | 'error';

/** `GET /api/health` for anyone: up, degraded (a plugin failed) or error (the database is away). */
export interface PublicHealth {
  status: HealthStatus;
}

/** `GET /api/health` for a signed-in caller. */
export interface HealthDetails extends PublicHealth {
  version: string;
  uptimeSeconds: number;
  database: { type: string; ok: boolean };
  queue: { driver: string };
  plugins: PluginInfo[];
  feeds: FeedStatus[];
}

export type HealthView = PublicHealth | HealthDetails;

/** `GET /api/market/feeds`: the same as a `/ws` `FEED` message. */
export type FeedStatus = FeedData;

/** `GET/PUT /api/market/simulated-feed`. */
export interface SimulatedFeedState {
  /** Whether the simulated feed's demo prices are used at all. */
  on: boolean;
  /** The simulated feeds installed (by plugin name). */
  feeds: string[];
}

/** `GET /api/market/quotes`: the quote cache, one row per ticker. */
export interface QuoteView {
  ticker: string;
  bid: number;
  ask: number;
  /** Tick size. */
  step: number;
  /** Dollars one tick is worth for one contract or unit. */
  tickValue: number;
  time: IsoTime;
  /** A feed is quoting it now. */
  subscribed: boolean;
  /** The feed plugin that quoted it. */
  feed: string | null;
  /** Demo prices from the simulated feed, never a market's. */
  simulated: boolean;
}

/** `GET /api/market/instruments`: the futures catalog. */
export interface InstrumentView {
  root: string;
  /** The continuous contract, `NQ1!`. */
  ticker: string;
  description: string;
  tickSize: number;
  tickValue: number;
}
