import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject, type WritableSignal } from '@angular/core';
import type { AlertPreview, RiskLimits, StrategyExits, WatchlistView } from '@tradeloop/contracts';
import { type Observable, type OperatorFunction, catchError, map, of, startWith } from 'rxjs';
import type { PnlCalendar, PnlSeries, PnlSummary } from '../pnl/pnl.types';

export interface PluginStatus {
  name: string;
  /** One kind, or both (`["broker", "datafeed"]`) for a plugin that is a broker and a data feed. */
  kind: string | string[] | null;
  displayName?: string;
  status: string;
  error?: string | null;
}

export interface FeedStatus {
  name: string;
  connected: boolean;
  lastQuoteAgeMs: number | null;
  reconnects: number;
  error: string | null;
  /** Demo prices (the simulated feed), and whether the trader has it on. */
  simulated?: boolean;
  on?: boolean;
}

export interface SimulatedFeedState {
  on: boolean;
  feeds: string[];
}

export interface Health {
  status: string;
  version: string;
  uptimeSeconds: number;
  database: { type: string; ok: boolean };
  queue: { driver: string };
  plugins: PluginStatus[];
  feeds: FeedStatus[];
}

/** Live P&L a listing carries (dollars; null while a held ticker has no quote). */
export interface LivePnl {
  todayPnl: number | null;
  totalPnl: number | null;
  openPnl: number | null;
  realizedPnl: number;
  activePositions: number;
  /** Net quantity per open ticker, e.g. {"NQ1!": 2}. */
  position: Record<string, number>;
}

export interface Strategy extends LivePnl {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  status: 'enabled' | 'disabled' | 'errored';
  statusReason: string | null;
  script: string | null;
  params: Record<string, ScriptParamValue> | null;
  accountId: string;
  defaultQuantity: number;
  defaultTicker: string | null;
  /** Only for callers who may trade (never a read-only token); null when the stored token cannot be opened. */
  webhookToken?: string | null;
  webhookUrl?: string | null;
  allowedIps: string[];
  /** When its newest accepted alert arrived; null before the first. */
  lastSignalAt: string | null;
  /** Default take profit / stop loss, break-even and trailing for entries its alerts open. */
  exits: StrategyExits | null;
  risk: RiskLimits | null;
  /** A daily limit was hit: no new exposure until then. */
  haltedUntil: string | null;
  /** Accounts the signal is copied to; only `GET /api/strategies/:id` has them. */
  links?: StrategyLink[];
  createdAt: string;
  updatedAt: string;
}

/** One account a strategy's signal is copied to. */
export interface StrategyLink {
  id: string;
  accountId: string;
  /** Contracts per contract of the signal. */
  multiplier: number;
  /** Trade this symbol instead of the alert's. */
  symbolOverride: string | null;
  /** Trade the opposite side. */
  inverse: boolean;
  enabled: boolean;
}

export interface StrategyLinkInput {
  accountId: string;
  multiplier?: number;
  symbolOverride?: string;
  inverse?: boolean;
  enabled?: boolean;
}

export type StrategyInput = Partial<Pick<Strategy, 'name' | 'description' | 'enabled' | 'accountId' | 'defaultQuantity' | 'allowedIps'>> & {
  defaultTicker?: string;
  script?: string | null;
  params?: Record<string, ScriptParamValue>;
  /** Replaces the whole list. */
  links?: StrategyLinkInput[];
  /** null: none. */
  exits?: StrategyExits | null;
  risk?: RiskLimits | null;
};

export interface Account extends LivePnl {
  id: string;
  name: string;
  broker: string;
  brokerAccountId: string;
  startingBalance: number;
  balance: number;
  /** Balance plus open P&L; null while open P&L is unknown. */
  equity: number | null;
  settings: Record<string, string | number | boolean | null>;
  /** Names of the secrets that are set; never their values. */
  secrets: string[];
  createdAt: string;
}

export interface AccountInput {
  name?: string;
  broker?: string;
  brokerAccountId?: string;
  startingBalance?: number;
  settings?: Record<string, string | number | boolean | null>;
  secrets?: Record<string, string | null>;
}

export interface Position {
  id: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  quantity: number;
  side: 'long' | 'short' | 'flat';
  avgPrice: number | null;
  markPrice: number | null;
  openPnl: number | null;
  realizedPnl: number;
  updatedAt: string;
}

export interface Order {
  id: string;
  clientOrderId: string;
  strategyId: string | null;
  accountId: string;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  /** stop_limit and trailing_stop are held by the server until they trigger. */
  type: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
  limitPrice: number | null;
  stopPrice: number | null;
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
  filledQuantity: number;
  avgFillPrice: number | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A manual order (`POST /api/orders`); a take profit or stop loss becomes a bracket once it fills. */
export interface ManualOrderInput {
  accountId: string;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  type: 'market' | 'limit' | 'stop';
  limitPrice?: number;
  stopPrice?: number;
  takeProfit?: { ticks: number };
  stopLoss?: { ticks: number };
}

/** What a flatten did: working orders cancelled, and one closing order per open position. */
export interface FlattenResult {
  cancelled: number;
  orders: Order[];
}

export interface KillSwitchState {
  engaged: boolean;
  /** Epoch milliseconds; null while released. */
  since: number | null;
  reason: string | null;
}

/** The answer to engaging it: the state and what it stopped. */
export interface KillSwitchResult extends KillSwitchState, FlattenResult {
  strategiesDisabled: number;
}

export interface Trade {
  id: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  entryTime: string;
  exitTime: string;
  grossPnl: number;
  commission: number;
  pnl: number;
  /** Where each side's fill price came from: `quote:<feed>`, `alert`, `simulated`, `broker`. */
  entryPriceSource: string;
  exitPriceSource: string;
}

export interface LogLine {
  id: number;
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  category: string;
  strategyId: string | null;
  message: string;
  context: Record<string, unknown> | null;
}

export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

export interface QuoteRow {
  ticker: string;
  bid: number;
  ask: number;
  step: number;
  tickValue: number;
  time: string;
  subscribed: boolean;
  feed: string | null;
  /** Demo prices from the simulated feed. */
  simulated: boolean;
}

export interface Instrument {
  root: string;
  ticker: string;
  description: string;
  tickSize: number;
  tickValue: number;
}

export interface ApiToken {
  id: string;
  kind: 'api' | 'session';
  name: string;
  scope: 'admin' | 'trading' | 'read';
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  current?: boolean;
  /** Only in the answer that created it. */
  token?: string;
}

export type ScriptParamValue = number | string | boolean;

/** Why a script does not load; line and column point into the script as written. */
export interface ScriptProblem {
  kind: string;
  message: string;
  line?: number;
  column?: number;
}

export interface ScriptInfo {
  name: string;
  size: number;
  updatedAt: string;
  /** A version of the file has loaded (strategies can run it). */
  loaded: boolean;
  /** Why the file as it is on disk does not load (the previous version keeps running). */
  error: ScriptProblem | null;
  handlers: string[];
  /** The declared defaults of the settings a strategy may change. */
  params: Record<string, ScriptParamValue>;
  tickers: string[];
  /** The timer's period in milliseconds, or null. */
  every: number | null;
  /** The strategies running it. */
  strategyIds: string[];
}

export interface ScriptFile extends ScriptInfo {
  source: string;
}

export type WebhookEventStatus = 'accepted' | 'processing' | 'done' | 'failed' | 'dismissed';

export interface WebhookEventRow {
  id: string;
  strategyId: string;
  status: WebhookEventStatus;
  alert: Record<string, unknown>;
  idempotencyKey: string | null;
  sourceIp: string | null;
  receivedAt: string;
  processedAt: string | null;
  error: string | null;
}

/** What a P&L query is about: one strategy, one account, or (neither) every strategy together. */
export interface PnlScopeQuery {
  strategyId?: string;
  accountId?: string;
}

type Query = Record<string, string | number | boolean | undefined | null>;

const params = (query: Query = {}) =>
  Object.entries(query).reduce(
    (p, [key, value]) => (value === undefined || value === null || value === '' ? p : p.set(key, String(value))),
    new HttpParams(),
  );

/** Every call the admin makes to the Tradeloop server. */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  health(): Observable<Health> {
    return this.http.get<Health>('/api/health');
  }

  strategies(): Observable<Strategy[]> {
    return this.http.get<Strategy[]>('/api/strategies');
  }

  strategy(id: string): Observable<Strategy> {
    return this.http.get<Strategy>(`/api/strategies/${id}`);
  }

  createStrategy(input: StrategyInput): Observable<Strategy> {
    return this.http.post<Strategy>('/api/strategies', input);
  }

  updateStrategy(id: string, input: StrategyInput): Observable<Strategy> {
    return this.http.patch<Strategy>(`/api/strategies/${id}`, input);
  }

  deleteStrategy(id: string): Observable<void> {
    return this.http.delete<void>(`/api/strategies/${id}`);
  }

  rotateToken(id: string): Observable<Strategy> {
    return this.http.post<Strategy>(`/api/strategies/${id}/rotate-token`, {});
  }

  accounts(): Observable<Account[]> {
    return this.http.get<Account[]>('/api/accounts');
  }

  createAccount(input: AccountInput): Observable<Account> {
    return this.http.post<Account>('/api/accounts', input);
  }

  updateAccount(id: string, input: AccountInput): Observable<Account> {
    return this.http.patch<Account>(`/api/accounts/${id}`, input);
  }

  positions(query: Query = {}): Observable<Position[]> {
    return this.http.get<Position[]>('/api/positions', { params: params(query) });
  }

  orders(query: Query = {}): Observable<Page<Order>> {
    return this.http.get<Page<Order>>('/api/orders', { params: params(query) });
  }

  /** A manual order; one the server refuses by its limits comes back `rejected` with the reason. */
  placeOrder(input: ManualOrderInput): Observable<Order> {
    return this.http.post<Order>('/api/orders', input);
  }

  cancelOrder(id: string): Observable<Order> {
    return this.http.delete<Order>(`/api/orders/${id}`);
  }

  /** Cancels working orders and closes positions in scope (an account, a ticker; neither: everything). */
  flatten(scope: { accountId?: string; strategyId?: string; ticker?: string }): Observable<FlattenResult> {
    return this.http.post<FlattenResult>('/api/positions/flatten', scope);
  }

  /** One market order for twice the manual position (the account's, with no strategy). */
  reverse(scope: { accountId: string; ticker: string }): Observable<Order> {
    return this.http.post<Order>('/api/positions/reverse', scope);
  }

  killSwitch(): Observable<KillSwitchState> {
    return this.http.get<KillSwitchState>('/api/kill-switch');
  }

  engageKillSwitch(reason?: string): Observable<KillSwitchResult> {
    return this.http.post<KillSwitchResult>('/api/kill-switch', reason ? { reason } : {});
  }

  releaseKillSwitch(): Observable<KillSwitchState> {
    return this.http.delete<KillSwitchState>('/api/kill-switch');
  }

  trades(query: Query = {}): Observable<Page<Trade>> {
    return this.http.get<Page<Trade>>('/api/trades', { params: params(query) });
  }

  logs(query: Query = {}): Observable<LogLine[]> {
    return this.http.get<LogLine[]>('/api/logs', { params: params(query) });
  }

  quotes(): Observable<QuoteRow[]> {
    return this.http.get<QuoteRow[]>('/api/market/quotes');
  }

  instruments(): Observable<Instrument[]> {
    return this.http.get<Instrument[]>('/api/market/instruments');
  }

  feeds(): Observable<FeedStatus[]> {
    return this.http.get<FeedStatus[]>('/api/market/feeds');
  }

  simulatedFeed(): Observable<SimulatedFeedState> {
    return this.http.get<SimulatedFeedState>('/api/market/simulated-feed');
  }

  setSimulatedFeed(on: boolean): Observable<SimulatedFeedState> {
    return this.http.put<SimulatedFeedState>('/api/market/simulated-feed', { on });
  }

  /** What an alert message would do, sent as TradingView sends it (the text as typed); nothing is executed. */
  previewAlert(strategyId: string, message: string): Observable<AlertPreview> {
    return this.http.post<AlertPreview>(`/api/strategies/${strategyId}/preview`, message, { headers: { 'content-type': 'text/plain' } });
  }

  watchlist(): Observable<WatchlistView> {
    return this.http.get<WatchlistView>('/api/market/watchlist');
  }

  /** Replaces the watchlist; the server checks and spells each ticker. */
  saveWatchlist(tickers: string[]): Observable<WatchlistView> {
    return this.http.put<WatchlistView>('/api/market/watchlist', { tickers });
  }

  apiTokens(): Observable<ApiToken[]> {
    return this.http.get<ApiToken[]>('/api/auth/tokens');
  }

  createApiToken(input: { name: string; scope: 'read' | 'trading'; expiresInDays?: number }): Observable<ApiToken> {
    return this.http.post<ApiToken>('/api/auth/tokens', input);
  }

  revokeApiToken(id: string): Observable<void> {
    return this.http.delete<void>(`/api/auth/tokens/${id}`);
  }

  sessions(): Observable<ApiToken[]> {
    return this.http.get<ApiToken[]>('/api/auth/sessions');
  }

  revokeSession(id: string): Observable<void> {
    return this.http.delete<void>(`/api/auth/sessions/${id}`);
  }

  changePassword(currentPassword: string, newPassword: string): Observable<void> {
    return this.http.post<void>('/api/auth/password', { currentPassword, newPassword });
  }

  pnlSummary(scope: PnlScopeQuery = {}): Observable<PnlSummary> {
    return this.http.get<PnlSummary>('/api/pnl/summary', { params: params({ ...scope }) });
  }

  /** A month's trading days; the current trading month when `month` is left out. */
  pnlCalendar(month: string | null, scope: PnlScopeQuery = {}): Observable<PnlCalendar> {
    return this.http.get<PnlCalendar>('/api/pnl/calendar', { params: params({ month, ...scope }) });
  }

  pnlSeries(query: PnlScopeQuery & { from: number; to: number; resolution?: 'auto' | PnlSeries['resolution'] }): Observable<PnlSeries> {
    return this.http.get<PnlSeries>('/api/pnl/series', { params: params({ resolution: 'auto', ...query }) });
  }

  scripts(): Observable<ScriptInfo[]> {
    return this.http.get<ScriptInfo[]>('/api/scripts');
  }

  script(name: string): Observable<ScriptFile> {
    return this.http.get<ScriptFile>(`/api/scripts/${encodeURIComponent(name)}`);
  }

  /** Checked by the server first: a script that does not load is refused (400 with line and column) and not written. */
  saveScript(name: string, source: string): Observable<ScriptFile> {
    return this.http.put<ScriptFile>(`/api/scripts/${encodeURIComponent(name)}`, { source });
  }

  deleteScript(name: string): Observable<void> {
    return this.http.delete<void>(`/api/scripts/${encodeURIComponent(name)}`);
  }

  /** Accepted alerts; `status: 'failed'` lists the dead letters. */
  events(query: { status?: WebhookEventStatus; strategyId?: string; limit?: number } = {}): Observable<WebhookEventRow[]> {
    return this.http.get<WebhookEventRow[]>('/api/events', { params: params(query) });
  }

  retryEvent(id: string): Observable<WebhookEventRow> {
    return this.http.post<WebhookEventRow>(`/api/events/${id}/retry`, {});
  }

  dismissEvent(id: string): Observable<WebhookEventRow> {
    return this.http.post<WebhookEventRow>(`/api/events/${id}/dismiss`, {});
  }
}

/** The line and column of a refused script save (`400` with them), or null for any other failure. */
export function scriptProblemOf(error: unknown): ScriptProblem | null {
  if (!(error instanceof HttpErrorResponse) || error.status !== 400) return null;
  const body: unknown = error.error;
  if (!body || typeof body !== 'object' || !('line' in body)) return null;
  const { kind, message, line, column } = body as { kind?: unknown; message?: unknown; line?: unknown; column?: unknown };
  if (typeof line !== 'number') return null;
  return {
    kind: typeof kind === 'string' ? kind : 'syntax',
    // `source: breakout.ts:3:15: Expression expected.` → `Expression expected.`: the line and column are shown apart.
    message: String(message ?? '')
      .replace(/^source: /, '')
      .replace(/^[\w.-]+:\d+:\d+: /, ''),
    line,
    ...(typeof column === 'number' ? { column } : {}),
  };
}

/** A plain-words reason for a failed call, for the page to show. */
export function describeError(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return `Cannot reach the server: no answer from ${error.url ?? 'the API'} (is Tradeloop running?)`;
    const body: unknown = error.error;
    const raw = body && typeof body === 'object' && 'message' in body ? (body as { message: unknown }).message : error.statusText;
    const detail = Array.isArray(raw) ? raw.join('; ') : String(raw);
    return `The server answered ${error.status}: ${detail}`;
  }
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

/** Where a call stands, for templates to switch on. */
export type Loadable<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; message: string };

/** Turns a call into loading → ok | error, starting synchronously with `loading` (so `toSignal(..., { requireSync: true })` works). */
export function loadable<T>(source: Observable<T>): Observable<Loadable<T>> {
  return source.pipe(
    map((value): Loadable<T> => ({ state: 'ok', value })),
    catchError((error: unknown) => of<Loadable<T>>({ state: 'error', message: describeError(error) })),
    startWith<Loadable<T>>({ state: 'loading' }),
  );
}

/** A failed load shows why in `error` and gives null, so the stream lives on for the next reload. */
export function showingErrorIn<T>(error: WritableSignal<string | null>): OperatorFunction<T, T | null> {
  return catchError((e: unknown) => {
    error.set(describeError(e));
    return of(null);
  });
}

/** A load's value or, when it failed, why in words: for panels that keep their last value on an error. */
export function valueOrError<T>(): OperatorFunction<T, { value: T; error: null } | { value: null; error: string }> {
  return (source) =>
    source.pipe(
      map((value) => ({ value, error: null })),
      catchError((error: unknown) => of({ value: null, error: describeError(error) })),
    );
}
