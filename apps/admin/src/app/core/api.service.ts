import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import {
  SCRIPT_PROBLEM_KINDS,
  type AccountChange,
  type AccountRulePresetView,
  type AccountRulesInput,
  type AccountRulesView,
  type AccountInput,
  type AccountView,
  type AlertPreview,
  type AnalyticsView,
  type JournalEntryInput,
  type JournalEntryView,
  type ApiTokenInput,
  type BacktestComparison,
  type BacktestReport,
  type BacktestRequest,
  type BacktestRunView,
  type HistoryFileView,
  type CreatedApiToken,
  type FeedStatus,
  type FlattenInput,
  type FlattenResult,
  type HealthDetails,
  type InstrumentView,
  type KillSwitchResult,
  type KillSwitchState,
  type ListedToken,
  type LogEntryView,
  type ManualOrderInput,
  type NotificationChannelInput,
  type NotificationChannelView,
  type NotificationTestResult,
  type OrderView,
  type Page,
  type PnlCalendar,
  type PnlScopeQuery,
  type PnlSeries,
  type PnlSummary,
  type PositionView,
  type QuoteView,
  type ReverseInput,
  type ScriptFile,
  type ScriptInfo,
  type ScriptProblem,
  type ScriptRefusal,
  type SeriesResolution,
  type SimulatedFeedState,
  type StrategyChange,
  type StrategyDetail,
  type StrategyInput,
  type StrategyListItem,
  type StrategyView,
  type TradeView,
  type WebhookEventStatus,
  type WebhookEventView,
  type WatchlistView,
} from '@tradeloop/contracts';
import type { Observable } from 'rxjs';

/** A query's fields as URL parameters; absent, null and empty ones are left out. */
const params = (query: object = {}) =>
  Object.entries(query).reduce(
    (p, [key, value]: [string, unknown]) => (value === undefined || value === null || value === '' ? p : p.set(key, String(value))),
    new HttpParams(),
  );

/** Every call the admin makes to the Tradeloop server. */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  /** The details a signed-in caller gets (the admin always is). */
  health(): Observable<HealthDetails> {
    return this.http.get<HealthDetails>('/api/health');
  }

  strategies(): Observable<StrategyListItem[]> {
    return this.http.get<StrategyListItem[]>('/api/strategies');
  }

  strategy(id: string): Observable<StrategyDetail> {
    return this.http.get<StrategyDetail>(`/api/strategies/${id}`);
  }

  createStrategy(input: StrategyInput): Observable<StrategyView> {
    return this.http.post<StrategyView>('/api/strategies', input);
  }

  /** The answer has the settings only: no live numbers, no links. */
  updateStrategy(id: string, change: StrategyChange): Observable<StrategyView> {
    return this.http.patch<StrategyView>(`/api/strategies/${id}`, change);
  }

  deleteStrategy(id: string): Observable<void> {
    return this.http.delete<void>(`/api/strategies/${id}`);
  }

  rotateToken(id: string): Observable<StrategyView> {
    return this.http.post<StrategyView>(`/api/strategies/${id}/rotate-token`, {});
  }

  accounts(): Observable<AccountView[]> {
    return this.http.get<AccountView[]>('/api/accounts');
  }

  createAccount(input: AccountInput): Observable<AccountView> {
    return this.http.post<AccountView>('/api/accounts', input);
  }

  updateAccount(id: string, change: AccountChange): Observable<AccountView> {
    return this.http.patch<AccountView>(`/api/accounts/${id}`, change);
  }

  positions(query: { accountId?: string; strategyId?: string; includeFlat?: boolean } = {}): Observable<PositionView[]> {
    return this.http.get<PositionView[]>('/api/positions', { params: params(query) });
  }

  orders(
    query: { accountId?: string; strategyId?: string; status?: OrderView['status']; limit?: number; offset?: number } = {},
  ): Observable<Page<OrderView>> {
    return this.http.get<Page<OrderView>>('/api/orders', { params: params(query) });
  }

  /** A manual order; one the server refuses by its limits comes back `rejected` with the reason. */
  placeOrder(input: ManualOrderInput): Observable<OrderView> {
    return this.http.post<OrderView>('/api/orders', input);
  }

  cancelOrder(id: string): Observable<OrderView> {
    return this.http.delete<OrderView>(`/api/orders/${id}`);
  }

  /** Cancels working orders and closes positions in scope (an account, a ticker; neither: everything). */
  flatten(scope: FlattenInput): Observable<FlattenResult> {
    return this.http.post<FlattenResult>('/api/positions/flatten', scope);
  }

  /** One market order for twice the manual position (the account's, with no strategy). */
  reverse(scope: ReverseInput): Observable<OrderView> {
    return this.http.post<OrderView>('/api/positions/reverse', scope);
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

  /** `from` and `to` in ISO 8601. */
  trades(query: PnlScopeQuery & { from?: string; to?: string; limit?: number; offset?: number } = {}): Observable<Page<TradeView>> {
    return this.http.get<Page<TradeView>>('/api/trades', { params: params(query) });
  }

  logs(query: { strategyId?: string; level?: LogEntryView['level']; limit?: number; beforeId?: number } = {}): Observable<LogEntryView[]> {
    return this.http.get<LogEntryView[]>('/api/logs', { params: params(query) });
  }

  quotes(): Observable<QuoteView[]> {
    return this.http.get<QuoteView[]>('/api/market/quotes');
  }

  instruments(): Observable<InstrumentView[]> {
    return this.http.get<InstrumentView[]>('/api/market/instruments');
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

  apiTokens(): Observable<ListedToken[]> {
    return this.http.get<ListedToken[]>('/api/auth/tokens');
  }

  createApiToken(input: ApiTokenInput): Observable<CreatedApiToken> {
    return this.http.post<CreatedApiToken>('/api/auth/tokens', input);
  }

  revokeApiToken(id: string): Observable<void> {
    return this.http.delete<void>(`/api/auth/tokens/${id}`);
  }

  sessions(): Observable<ListedToken[]> {
    return this.http.get<ListedToken[]>('/api/auth/sessions');
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

  pnlSeries(query: PnlScopeQuery & { from: number; to: number; resolution?: 'auto' | SeriesResolution }): Observable<PnlSeries> {
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

  accountRulePresets(): Observable<AccountRulePresetView[]> {
    return this.http.get<AccountRulePresetView[]>('/api/account-rules/presets');
  }

  accountRules(accountId: string): Observable<AccountRulesView> {
    return this.http.get<AccountRulesView>(`/api/accounts/${accountId}/rules`);
  }

  /** A preset by id, rules written out, or both (the rules replace the preset's, key by key). */
  setAccountRules(accountId: string, input: AccountRulesInput): Observable<AccountRulesView> {
    return this.http.put<AccountRulesView>(`/api/accounts/${accountId}/rules`, input);
  }

  removeAccountRules(accountId: string): Observable<AccountRulesView> {
    return this.http.delete<AccountRulesView>(`/api/accounts/${accountId}/rules`);
  }

  notificationChannels(): Observable<NotificationChannelView[]> {
    return this.http.get<NotificationChannelView[]>('/api/notifications/channels');
  }

  createNotificationChannel(input: NotificationChannelInput): Observable<NotificationChannelView> {
    return this.http.post<NotificationChannelView>('/api/notifications/channels', input);
  }

  /** Fields merge; a secret left out keeps its value. */
  updateNotificationChannel(id: string, change: NotificationChannelInput): Observable<NotificationChannelView> {
    return this.http.patch<NotificationChannelView>(`/api/notifications/channels/${id}`, change);
  }

  deleteNotificationChannel(id: string): Observable<void> {
    return this.http.delete<void>(`/api/notifications/channels/${id}`);
  }

  testNotificationChannel(id: string): Observable<NotificationTestResult> {
    return this.http.post<NotificationTestResult>(`/api/notifications/channels/${id}/test`, {});
  }

  /** Latency, slippage, excursions and stats by tag and hour of a strategy's or account's trades (`tag`: only those with it). */
  analytics(query: PnlScopeQuery & { tag?: string | null; from?: string; to?: string } = {}): Observable<AnalyticsView> {
    return this.http.get<AnalyticsView>('/api/analytics', { params: params(query) });
  }

  /** Every trade of the scope with every field, as CSV text. */
  tradesCsv(query: PnlScopeQuery & { tag?: string | null } = {}): Observable<string> {
    return this.http.get('/api/analytics/trades.csv', { params: params(query), responseType: 'text' });
  }

  /** A trade's journal entry: its tags and note (empty when it has none). */
  journalTrade(tradeId: string): Observable<JournalEntryView> {
    return this.http.get<JournalEntryView>(`/api/journal/trades/${tradeId}`);
  }

  /** Replaces a trade's tags and note; an entry left with neither is removed. */
  putJournalTrade(tradeId: string, entry: JournalEntryInput): Observable<JournalEntryView> {
    return this.http.put<JournalEntryView>(`/api/journal/trades/${tradeId}`, entry);
  }

  /** Accepted alerts; `status: 'failed'` lists the dead letters. */
  events(query: { status?: WebhookEventStatus; strategyId?: string; limit?: number } = {}): Observable<WebhookEventView[]> {
    return this.http.get<WebhookEventView[]>('/api/events', { params: params(query) });
  }

  retryEvent(id: string): Observable<WebhookEventView> {
    return this.http.post<WebhookEventView>(`/api/events/${id}/retry`, {});
  }

  dismissEvent(id: string): Observable<WebhookEventView> {
    return this.http.post<WebhookEventView>(`/api/events/${id}/dismiss`, {});
  }

  backtests(): Observable<BacktestRunView[]> {
    return this.http.get<BacktestRunView[]>('/api/backtests');
  }

  startBacktest(request: BacktestRequest): Observable<BacktestRunView> {
    return this.http.post<BacktestRunView>('/api/backtests', request);
  }

  backtestReport(id: string): Observable<BacktestReport> {
    return this.http.get<BacktestReport>(`/api/backtests/${id}/report`);
  }

  compareBacktests(ids: string[]): Observable<BacktestComparison> {
    return this.http.get<BacktestComparison>('/api/backtests/compare', { params: params({ ids: ids.join(',') }) });
  }

  /** History files on the server: recorded quotes and files copied into its history folder. */
  historyFiles(): Observable<HistoryFileView[]> {
    return this.http.get<HistoryFileView[]>('/api/backtests/data');
  }
}

/** The line and column of a refused script save (`400` with them), or null for any other failure. */
export function scriptProblemOf(error: unknown): ScriptProblem | null {
  if (!(error instanceof HttpErrorResponse) || error.status !== 400) return null;
  const body: unknown = error.error;
  if (!body || typeof body !== 'object' || !('line' in body)) return null;
  // A `ScriptRefusal`, read without trusting it: any 400 may come here.
  const { kind, message, line, column } = body as { [K in keyof ScriptRefusal]?: unknown };
  if (typeof line !== 'number') return null;
  return {
    kind: SCRIPT_PROBLEM_KINDS.find((k) => k === kind) ?? 'syntax',
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
