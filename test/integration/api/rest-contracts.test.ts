import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  AccountMarginData,
  AccountRulePresetView,
  AccountRulesView,
  AccountView,
  AnalyticsView,
  ExcursionPointView,
  JournalEntryView,
  JournalTagView,
  LatencyStageView,
  OrderTimelineView,
  SlippageGroupView,
  SlippageView,
  TradeExcursionView,
  TradeGroupStatsView,
  AlertPreview,
  ApiTokenView,
  BacktestComparison,
  BacktestNote,
  BacktestReport,
  BacktestRunView,
  BacktestStats,
  HistoryFileView,
  CalendarDay,
  CreatedApiToken,
  FeedStatus,
  FillView,
  FlattenResult,
  HealthDetails,
  InstrumentView,
  KillSwitchResult,
  KillSwitchState,
  ListedToken,
  LivePnl,
  LogEntryView,
  LoginAnswer,
  NotificationChannelView,
  NotificationDeliveryView,
  NotificationTestResult,
  OrderView,
  Page,
  PluginInfo,
  PnlCalendar,
  PnlSeries,
  PnlSummary,
  PositionView,
  PublicHealth,
  QuoteView,
  ScriptFile,
  ScriptInfo,
  ScriptRefusal,
  SeriesPoint,
  SignedInView,
  SimulatedFeedState,
  WatchlistView,
  StrategyDetail,
  StrategyLinkView,
  StrategyListItem,
  StrategyView,
  TradeView,
  WebhookEventView,
} from '@tradeloop/contracts';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeTable } from '../../../apps/server/src/app.factory.js';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';
import { scriptsDir } from '../../support/scripts.js';

/**
 * Every key of a contract, marked as always sent or sometimes left out. Written out in full below:
 * the compiler holds each list to its type (a key missing, extra or wrongly marked does not
 * compile), and the tests hold the server's answers to the list.
 */
type Keys<T> = { [K in keyof T]-?: undefined extends T[K] ? 'optional' : 'required' };

/** The keys of an answer that the contract does not declare, and those it requires but are missing. */
function mismatch<T>(value: unknown, keys: Keys<T>): { extra: string[]; missing: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { extra: [`not an object: ${JSON.stringify(value)}`], missing: [] };
  const sent = Object.keys(value);
  const declared = Object.entries(keys) as [string, 'optional' | 'required'][];
  return {
    extra: sent.filter((k) => !(k in keys)),
    missing: declared.filter(([k, how]) => how === 'required' && !sent.includes(k)).map(([k]) => k),
  };
}

/** Asserts that an answer has exactly the contract's keys (optional ones may be absent), naming where it does not. */
function expectShape<T>(what: string, value: unknown, keys: Keys<T>): void {
  expect({ what, ...mismatch(value, keys) }).toEqual({ what, extra: [], missing: [] });
}

/** Each item of a non-empty list. */
function expectEach<T>(what: string, list: unknown, keys: Keys<T>): void {
  expect(Array.isArray(list) && list.length > 0 ? 'a non-empty list' : JSON.stringify(list)).toBe('a non-empty list');
  (list as unknown[]).forEach((item, i) => expectShape(`${what}[${i}]`, item, keys));
}

const LIVE_PNL: Keys<LivePnl> = {
  todayPnl: 'required',
  totalPnl: 'required',
  openPnl: 'required',
  realizedPnl: 'required',
  activePositions: 'required',
  position: 'required',
};
const STRATEGY: Keys<StrategyView> = {
  id: 'required',
  name: 'required',
  description: 'required',
  enabled: 'required',
  accountId: 'required',
  defaultQuantity: 'required',
  defaultTicker: 'required',
  script: 'required',
  params: 'required',
  status: 'required',
  statusReason: 'required',
  webhookToken: 'optional',
  webhookUrl: 'optional',
  allowedIps: 'required',
  exits: 'required',
  risk: 'required',
  haltedUntil: 'required',
  createdAt: 'required',
  updatedAt: 'required',
};
const LISTED_STRATEGY: Keys<StrategyListItem> = { ...STRATEGY, ...LIVE_PNL, lastSignalAt: 'required' };
const STRATEGY_DETAIL: Keys<StrategyDetail> = { ...LISTED_STRATEGY, links: 'required' };
const LINK: Keys<StrategyLinkView & LivePnl> = {
  id: 'required',
  accountId: 'required',
  multiplier: 'required',
  symbolOverride: 'required',
  inverse: 'required',
  enabled: 'required',
  ...LIVE_PNL,
};
const ACCOUNT: Keys<AccountView> = {
  id: 'required',
  name: 'required',
  broker: 'required',
  brokerAccountId: 'required',
  startingBalance: 'required',
  balance: 'required',
  equity: 'required',
  settings: 'required',
  secrets: 'required',
  risk: 'required',
  haltedUntil: 'required',
  createdAt: 'required',
  ...LIVE_PNL,
};
const POSITION: Keys<PositionView> = {
  id: 'required',
  accountId: 'required',
  strategyId: 'required',
  ticker: 'required',
  quantity: 'required',
  side: 'required',
  avgPrice: 'required',
  markPrice: 'required',
  openPnl: 'required',
  realizedPnl: 'required',
  updatedAt: 'required',
};
const ORDER: Keys<OrderView> = {
  id: 'required',
  clientOrderId: 'required',
  strategyId: 'required',
  linkId: 'required',
  accountId: 'required',
  eventId: 'required',
  ticker: 'required',
  side: 'required',
  quantity: 'required',
  type: 'required',
  limitPrice: 'required',
  stopPrice: 'required',
  trailAmount: 'required',
  trailPercent: 'required',
  timeInForce: 'required',
  expiresAt: 'required',
  extendedHours: 'required',
  signalPrice: 'required',
  triggeredAt: 'required',
  status: 'required',
  filledQuantity: 'required',
  avgFillPrice: 'required',
  brokerOrderId: 'required',
  reason: 'required',
  slippage: 'required',
  createdAt: 'required',
  updatedAt: 'required',
};
const FILL: Keys<FillView> = {
  id: 'required',
  orderId: 'required',
  accountId: 'required',
  strategyId: 'required',
  ticker: 'required',
  side: 'required',
  quantity: 'required',
  price: 'required',
  priceSource: 'required',
  commission: 'required',
  realizedPnl: 'required',
  time: 'required',
};
const TRADE: Keys<TradeView> = {
  id: 'required',
  accountId: 'required',
  strategyId: 'required',
  ticker: 'required',
  direction: 'required',
  quantity: 'required',
  entryPrice: 'required',
  exitPrice: 'required',
  entryTime: 'required',
  exitTime: 'required',
  grossPnl: 'required',
  commission: 'required',
  pnl: 'required',
  entryPriceSource: 'required',
  exitPriceSource: 'required',
};
const PAGE: Keys<Page<unknown>> = { total: 'required', limit: 'required', offset: 'required', items: 'required' };
const TIMELINE: Keys<OrderTimelineView> = {
  orderId: 'required',
  eventId: 'required',
  strategyId: 'required',
  accountId: 'required',
  ticker: 'required',
  side: 'required',
  stamps: 'required',
  spans: 'required',
  referencePrice: 'required',
  referenceSource: 'required',
};
const EXCURSION: Keys<TradeExcursionView> = {
  tradeId: 'required',
  mfeTicks: 'required',
  mfe: 'required',
  mfePrice: 'required',
  mfeTime: 'required',
  maeTicks: 'required',
  mae: 'required',
  maePrice: 'required',
  maeTime: 'required',
  holdingMs: 'required',
  stopPrice: 'required',
  risk: 'required',
  rMultiple: 'required',
  complete: 'required',
};
const SUMMARY: Keys<PnlSummary> = {
  ...LIVE_PNL,
  scope: 'required',
  id: 'required',
  timeZone: 'required',
  dayStart: 'required',
  tradingDay: 'required',
  tag: 'optional',
  tradeCount: 'required',
  winRate: 'required',
  profitFactor: 'required',
  maxDrawdown: 'required',
  bestDay: 'required',
  worstDay: 'required',
};
const CALENDAR: Keys<PnlCalendar> = {
  month: 'required',
  scope: 'required',
  id: 'required',
  timeZone: 'required',
  dayStart: 'required',
  days: 'required',
  total: 'required',
  trades: 'required',
};
const CALENDAR_DAY: Keys<CalendarDay> = { date: 'required', pnl: 'required', trades: 'required' };
const SERIES: Keys<PnlSeries> = {
  scope: 'required',
  id: 'required',
  resolution: 'required',
  from: 'required',
  to: 'required',
  points: 'required',
};
const POINT: Keys<SeriesPoint> = { t: 'required', pnl: 'required', drawdown: 'required' };
const LOG_ENTRY: Keys<LogEntryView> = {
  id: 'required',
  time: 'required',
  level: 'required',
  category: 'required',
  strategyId: 'required',
  message: 'required',
  context: 'required',
};
const EVENT: Keys<WebhookEventView> = {
  id: 'required',
  strategyId: 'required',
  status: 'required',
  alert: 'required',
  idempotencyKey: 'required',
  sourceIp: 'required',
  receivedAt: 'required',
  processedAt: 'required',
  delayedUntil: 'optional',
  error: 'required',
};
const PLUGIN: Keys<PluginInfo> = {
  name: 'required',
  kind: 'required',
  displayName: 'required',
  status: 'required',
  error: 'required',
  accountSettings: 'required',
};
const FEED: Keys<FeedStatus> = {
  name: 'required',
  connected: 'required',
  lastQuoteAgeMs: 'required',
  reconnects: 'required',
  error: 'required',
  simulated: 'optional',
  on: 'optional',
};
const HEALTH: Keys<HealthDetails> = {
  status: 'required',
  version: 'required',
  uptimeSeconds: 'required',
  database: 'required',
  queue: 'required',
  plugins: 'required',
  feeds: 'required',
};
const QUOTE: Keys<QuoteView> = {
  ticker: 'required',
  bid: 'required',
  ask: 'required',
  step: 'required',
  tickValue: 'required',
  time: 'required',
  subscribed: 'required',
  feed: 'required',
  simulated: 'required',
};
const INSTRUMENT: Keys<InstrumentView> = {
  root: 'required',
  ticker: 'required',
  description: 'required',
  tickSize: 'required',
  tickValue: 'required',
};
const SCRIPT: Keys<ScriptInfo> = {
  name: 'required',
  size: 'required',
  updatedAt: 'required',
  loaded: 'required',
  error: 'required',
  handlers: 'required',
  params: 'required',
  tickers: 'required',
  every: 'required',
  strategyIds: 'required',
};
const TOKEN: Keys<ApiTokenView> = {
  id: 'required',
  kind: 'required',
  name: 'required',
  scope: 'required',
  prefix: 'required',
  createdAt: 'required',
  expiresAt: 'required',
  lastUsedAt: 'required',
};
const KILL_SWITCH: Keys<KillSwitchState> = { engaged: 'required', since: 'required', reason: 'required' };
const FLATTEN: Keys<FlattenResult> = { cancelled: 'required', orders: 'required' };

const SCRIPT_SOURCE =
  "export default defineStrategy({ params: { size: 2 }, onWebhook(alert, ctx) { ctx.buy('NQ1!', ctx.params.size); } });\n";
const FAILING_SOURCE = "export default defineStrategy({ onWebhook() { throw new Error('shapes: no'); } });\n";

/**
 * The REST answers against `@tradeloop/contracts`: what the server sends has exactly the keys its
 * contract declares, for every route the admin reads — so the admin, which reads the contracts
 * only, sees what the server sends.
 */
describe('REST answers match their contracts', () => {
  let server: TestServer;
  let dir: string;
  /** Routes whose answers were checked, as `METHOD /path/:param`. */
  const checked = new Set<string>();
  const call = async (method: string, route: string, path = route, body?: unknown, status = method === 'POST' ? [200, 201] : [200]) => {
    const answer = await http(server.url, method, path, body);
    expect({ route, status: status.includes(answer.status) ? 'as expected' : answer.status }).toEqual({ route, status: 'as expected' });
    checked.add(`${method} ${route}`);
    return answer.body as unknown;
  };

  let strategy: StrategyView;
  let account: AccountView;

  beforeAll(async () => {
    dir = scriptsDir({ 'sized.ts': SCRIPT_SOURCE, 'failing.ts': FAILING_SOURCE });
    // The simulated feed on: a feed to list, and quotes for orders placed by hand.
    server = await startServer({ overrides: { strategies: { dir } } });
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Copy', broker: 'paper-broker', brokerAccountId: 'copy-1' })).body;
    strategy = (
      await http(server.url, 'POST', '/api/strategies', {
        name: 'Shapes',
        links: [{ accountId: account.id, multiplier: 2 }],
        exits: { stopLoss: { ticks: 40 } },
      })
    ).body;
    const hook = (body: unknown) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
    expect((await hook({ ticker: 'ES1!', action: 'buy', quantity: 1, price: 6800 })).status).toBe(202);
    await eventually(async () => (await http(server.url, 'GET', '/api/positions')).body.length === 2, 10_000, 'both positions');
    expect((await hook({ ticker: 'ES1!', action: 'exit', price: 6802 })).status).toBe(202);
    await eventually(async () => (await http(server.url, 'GET', '/api/trades')).body.total === 2, 10_000, 'both round trips');
    // An alert held by a delay: its event says until when.
    expect((await hook({ ticker: 'ES1!', action: 'buy', quantity: 1, price: 6801, delay: 3600 })).status).toBe(202);
    // And one that fails: a dead letter to dismiss and retry.
    const failing = (await http(server.url, 'POST', '/api/strategies', { name: 'Fails', script: 'failing.ts' })).body as StrategyView;
    expect((await http(server.url, 'POST', `/webhooks/${failing.webhookToken}`, { ticker: 'ES1!', action: 'buy' })).status).toBe(202);
    await eventually(async () => (await http(server.url, 'GET', '/api/events?status=failed')).body.length === 1, 20_000, 'a dead letter');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('strategies: settings on a change, live numbers listed, links in the detail', async () => {
    expectShape('POST /api/strategies', strategy, STRATEGY);
    checked.add('POST /api/strategies');
    expectEach('GET /api/strategies', await call('GET', '/api/strategies'), LISTED_STRATEGY);
    const detail = (await call('GET', '/api/strategies/:id', `/api/strategies/${strategy.id}`)) as StrategyDetail;
    expectShape('GET /api/strategies/:id', detail, STRATEGY_DETAIL);
    expectEach('GET /api/strategies/:id links', detail.links, LINK);
    expectShape(
      'PATCH /api/strategies/:id',
      await call('PATCH', '/api/strategies/:id', `/api/strategies/${strategy.id}`, { description: 'x' }),
      STRATEGY,
    );
    const rotated = await call('POST', '/api/strategies/:id/rotate-token', `/api/strategies/${strategy.id}/rotate-token`);
    expectShape('rotate-token', rotated, STRATEGY);
    strategy = rotated as StrategyView;
    const preview = await call('POST', '/api/strategies/:id/preview', `/api/strategies/${strategy.id}/preview`, {
      ticker: 'ES1!',
      action: 'buy',
    });
    expectShape<AlertPreview>('preview', preview, {
      accepted: 'required',
      status: 'required',
      error: 'optional',
      alert: 'optional',
      notes: 'required',
      delaySeconds: 'optional',
      quantity: 'optional',
      position: 'optional',
      cancels: 'optional',
      orders: 'required',
    });
  });

  it('accounts, positions, orders, fills and trades', async () => {
    expectShape('POST /api/accounts', account, ACCOUNT);
    checked.add('POST /api/accounts');
    expectEach('GET /api/accounts', await call('GET', '/api/accounts'), ACCOUNT);
    expectShape('GET /api/accounts/:id', await call('GET', '/api/accounts/:id', `/api/accounts/${account.id}`), ACCOUNT);
    expectShape(
      'PATCH /api/accounts/:id',
      await call('PATCH', '/api/accounts/:id', `/api/accounts/${account.id}`, { name: 'Copy 2' }),
      ACCOUNT,
    );
    expectEach('GET /api/positions', await call('GET', '/api/positions', '/api/positions?includeFlat=true'), POSITION);
    for (const [route, item] of [
      ['/api/orders', ORDER],
      ['/api/fills', FILL],
      ['/api/trades', TRADE],
    ] as const) {
      const page = (await call('GET', route)) as Page<unknown>;
      expectShape(route, page, PAGE);
      expectEach(`${route} items`, page.items, item as Keys<unknown>);
    }
  });

  it('P&L: summary, calendar and series', async () => {
    expectShape('summary', await call('GET', '/api/pnl/summary', `/api/pnl/summary?strategyId=${strategy.id}`), SUMMARY);
    const calendar = (await call('GET', '/api/pnl/calendar', `/api/pnl/calendar?strategyId=${strategy.id}`)) as PnlCalendar;
    expectShape('calendar', calendar, CALENDAR);
    expectEach('calendar days', calendar.days, CALENDAR_DAY);
    const series = (await call('GET', '/api/pnl/series', `/api/pnl/series?from=${Date.now() - 3_600_000}&to=${Date.now()}`)) as PnlSeries;
    expectShape('series', series, SERIES);
    // The recorder writes a point each second once something has traded.
    await eventually(
      async () => ((await http(server.url, 'GET', `/api/pnl/series?from=${Date.now() - 3_600_000}`)).body as PnlSeries).points.length > 0,
    );
    expectEach(
      'series points',
      ((await http(server.url, 'GET', `/api/pnl/series?from=${Date.now() - 3_600_000}`)).body as PnlSeries).points,
      POINT,
    );
  });

  it('the log and accepted alerts, a delayed one with its time', async () => {
    expectEach('GET /api/logs', await call('GET', '/api/logs'), LOG_ENTRY);
    const events = (await call('GET', '/api/events')) as WebhookEventView[];
    expectEach('GET /api/events', events, EVENT);
    const delayed = events.find((e) => e.status === 'delayed');
    expect(delayed?.delayedUntil).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expectShape('GET /api/events/:id', await call('GET', '/api/events/:id', `/api/events/${events[0].id}`), EVENT);
    const failed = events.find((e) => e.status === 'failed')!;
    expectShape('dismiss', await call('POST', '/api/events/:id/dismiss', `/api/events/${failed.id}/dismiss`), EVENT);
    expectShape('retry', await call('POST', '/api/events/:id/retry', `/api/events/${failed.id}/retry`), EVENT);
  });

  it('health, market and the simulated feed', async () => {
    const health = (await call('GET', '/api/health')) as HealthDetails;
    expectShape('health (signed in)', health, HEALTH);
    expectEach('health plugins', health.plugins, PLUGIN);
    expectEach('health feeds', health.feeds, FEED);
    expectShape<PublicHealth>('health (anyone)', (await http(server.url, 'GET', '/api/health', undefined, { token: null })).body, {
      status: 'required',
    });
    expectEach('GET /api/market/quotes', await call('GET', '/api/market/quotes'), QUOTE);
    expectEach('GET /api/market/instruments', await call('GET', '/api/market/instruments'), INSTRUMENT);
    expectEach('GET /api/market/feeds', await call('GET', '/api/market/feeds'), FEED);
    const feed: Keys<SimulatedFeedState> = { on: 'required', feeds: 'required' };
    expectShape('GET simulated-feed', await call('GET', '/api/market/simulated-feed'), feed);
    expectShape('PUT simulated-feed', await call('PUT', '/api/market/simulated-feed', undefined, { on: false }), feed);
    const watchlist: Keys<WatchlistView> = { tickers: 'required', strategyTickers: 'required', quoted: 'required' };
    expectShape('GET watchlist', await call('GET', '/api/market/watchlist'), watchlist);
    expectShape('PUT watchlist', await call('PUT', '/api/market/watchlist', undefined, { tickers: ['NQ1!', 'ES1!'] }), watchlist);
    // On again: the orders below need its quotes.
    expect(await call('PUT', '/api/market/simulated-feed', undefined, { on: true })).toEqual(expect.objectContaining({ on: true }));
  });

  it('scripts, and the refusal of one that does not load', async () => {
    expectEach('GET /api/scripts', await call('GET', '/api/scripts'), SCRIPT);
    const file: Keys<ScriptFile> = { ...SCRIPT, source: 'required' };
    expectShape('GET /api/scripts/:name', await call('GET', '/api/scripts/:name', '/api/scripts/sized.ts'), file);
    expectShape(
      'PUT /api/scripts/:name',
      await call('PUT', '/api/scripts/:name', '/api/scripts/other.ts', { source: SCRIPT_SOURCE }),
      file,
    );
    const refusal = await http(server.url, 'PUT', '/api/scripts/broken.ts', { source: 'export default defineStrategy({\n  onWebhook(\n' });
    expect(refusal.status).toBe(400);
    expectShape<ScriptRefusal>('PUT /api/scripts/:name (400)', refusal.body, {
      statusCode: 'required',
      error: 'required',
      message: 'required',
      kind: 'required',
      line: 'optional',
      column: 'optional',
    });
  });

  it('signing in, sessions and API tokens', async () => {
    const login = await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null });
    expectShape<LoginAnswer>('login', login.body, { token: 'required', expiresAt: 'required', username: 'required' });
    checked.add('POST /api/auth/login');
    expectShape<SignedInView>('me', await call('GET', '/api/auth/me'), { username: 'required', kind: 'required', scope: 'required' });
    const listed: Keys<ListedToken> = { ...TOKEN, current: 'required' };
    expectEach('sessions', await call('GET', '/api/auth/sessions'), listed);
    const created: Keys<CreatedApiToken> = { ...TOKEN, token: 'required' };
    expectShape('POST /api/auth/tokens', await call('POST', '/api/auth/tokens', undefined, { name: 'shapes', scope: 'read' }), created);
    expectEach('GET /api/auth/tokens', await call('GET', '/api/auth/tokens'), listed);
  });

  it('manual orders, flatten, reverse and the kill switch', async () => {
    const order = (await call('POST', '/api/orders', undefined, {
      accountId: account.id,
      ticker: 'ES1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 6000,
    })) as OrderView;
    expectShape('POST /api/orders', order, ORDER);
    expectShape('DELETE /api/orders/:id', await call('DELETE', '/api/orders/:id', `/api/orders/${order.id}`), ORDER);
    // Something held by hand to turn around.
    const bought = await http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'ES1!', side: 'buy', quantity: 1 });
    expect(bought.body.status).toBe('filled');
    expectShape('reverse', await call('POST', '/api/positions/reverse', undefined, { accountId: account.id, ticker: 'ES1!' }), ORDER);
    const flattened = (await call('POST', '/api/positions/flatten', undefined, { accountId: account.id })) as FlattenResult;
    expectShape('flatten', flattened, FLATTEN);
    expectEach('flatten orders', flattened.orders, ORDER);
    expectShape('GET /api/kill-switch', await call('GET', '/api/kill-switch'), KILL_SWITCH);
    const engaged: Keys<KillSwitchResult> = { ...KILL_SWITCH, ...FLATTEN, strategiesDisabled: 'required' };
    expectShape('POST /api/kill-switch', await call('POST', '/api/kill-switch', undefined, { reason: 'shapes' }), engaged);
    expectShape('DELETE /api/kill-switch', await call('DELETE', '/api/kill-switch'), KILL_SWITCH);
  });

  it('account rules and notification channels', async () => {
    const preset: Keys<AccountRulePresetView> = {
      id: 'required',
      firm: 'required',
      plan: 'required',
      asOf: 'required',
      sources: 'required',
      unverified: 'required',
      notes: 'required',
      rules: 'required',
    };
    expectEach('GET presets', await call('GET', '/api/account-rules/presets'), preset);
    const rules: Keys<AccountRulesView> = {
      accountId: 'required',
      preset: 'required',
      rules: 'required',
      margins: 'required',
      locks: 'required',
      high: 'required',
      floor: 'required',
      date: 'required',
      updatedAt: 'required',
    };
    const margin: Keys<AccountMarginData> = {
      rule: 'required',
      remaining: 'required',
      unit: 'required',
      level: 'required',
      text: 'required',
    };
    const path = `/api/accounts/${account.id}/rules`;
    const set = (await call('PUT', '/api/accounts/:id/rules', path, { preset: 'topstep-50k-combine' })) as AccountRulesView;
    expectShape('PUT rules', set, rules);
    expectEach('PUT rules margins', set.margins, margin);
    expectShape('GET rules', await call('GET', '/api/accounts/:id/rules', path), rules);
    expectShape('DELETE rules', await call('DELETE', '/api/accounts/:id/rules', path), rules);
    const channel: Keys<NotificationChannelView> = {
      id: 'required',
      type: 'required',
      name: 'required',
      enabled: 'required',
      events: 'required',
      settings: 'required',
      secrets: 'required',
      pending: 'required',
      lastError: 'required',
      createdAt: 'required',
      updatedAt: 'required',
    };
    // A JSON webhook nobody listens on: its test fails, with the reason.
    const made = (await call('POST', '/api/notifications/channels', undefined, {
      type: 'webhook',
      name: 'Nowhere',
      url: 'http://127.0.0.1:9/hook',
      signingSecret: 'sixteen characters!',
    })) as NotificationChannelView;
    expectShape('POST channel', made, channel);
    // A fill for it to tell about (its delivery waits: nothing listens there).
    expect(
      (await http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'ES1!', side: 'buy', quantity: 1 })).body.status,
    ).toBe('filled');
    await eventually(async () => (await http(server.url, 'GET', '/api/notifications/deliveries')).body.length > 0, 5000, 'a delivery');
    const one = `/api/notifications/channels/${made.id}`;
    expectEach('GET channels', await call('GET', '/api/notifications/channels'), channel);
    expectShape('GET channel', await call('GET', '/api/notifications/channels/:id', one), channel);
    expectShape('PATCH channel', await call('PATCH', '/api/notifications/channels/:id', one, { enabled: false }), channel);
    const tested: Keys<NotificationTestResult> = { ok: 'required', reason: 'required' };
    expectShape('test', await call('POST', '/api/notifications/channels/:id/test', `${one}/test`), tested);
    const delivery: Keys<NotificationDeliveryView> = {
      id: 'required',
      channelId: 'required',
      kind: 'required',
      title: 'required',
      status: 'required',
      attempts: 'required',
      lastError: 'required',
      createdAt: 'required',
      nextAttemptAt: 'required',
      finishedAt: 'required',
    };
    expectEach('deliveries', await call('GET', '/api/notifications/deliveries'), delivery);
  });

  it('execution analytics and the journal', async () => {
    const trades = (await call('GET', '/api/trades')) as Page<TradeView>;
    const tradeId = trades.items[0].id;
    const timelines = await eventually(async () => {
      const page = (await call('GET', '/api/analytics/timelines')) as Page<OrderTimelineView>;
      return page.items.some((t) => t.stamps.filled) ? page : undefined;
    });
    expectShape('GET /api/analytics/timelines', timelines, PAGE);
    expectEach('timelines', timelines.items, TIMELINE);
    const excursion = await eventually(async () => {
      const answer = await http(server.url, 'GET', `/api/analytics/trades/${tradeId}`);
      return answer.status === 200 ? answer.body : undefined;
    });
    expectShape('GET /api/analytics/trades/:id', excursion, EXCURSION);
    checked.add('GET /api/analytics/trades/:id');
    const view = (await call('GET', '/api/analytics')) as AnalyticsView;
    expectShape<AnalyticsView>('GET /api/analytics', view, {
      latency: 'required',
      slippage: 'required',
      excursions: 'required',
      byTag: 'required',
      byHour: 'required',
    });
    expectEach<LatencyStageView>('latency', view.latency, {
      span: 'required',
      count: 'required',
      p50Ms: 'required',
      p99Ms: 'required',
      histogram: 'required',
    });
    expectShape<SlippageView>('slippage', view.slippage, {
      fills: 'required',
      slippage: 'required',
      averageTicks: 'required',
      histogram: 'required',
      byStrategy: 'required',
      byAccount: 'required',
      byInstrument: 'required',
      byHour: 'required',
    });
    expectEach<SlippageGroupView>('slippage by account', view.slippage.byAccount, {
      key: 'required',
      fills: 'required',
      slippage: 'required',
      averageTicks: 'required',
    });
    expectEach<ExcursionPointView>('excursions', view.excursions, {
      tradeId: 'required',
      ticker: 'required',
      mfe: 'required',
      mae: 'required',
      pnl: 'required',
      rMultiple: 'required',
    });
    const stats: Keys<TradeGroupStatsView> = {
      key: 'required',
      trades: 'required',
      wins: 'required',
      winRate: 'required',
      pnl: 'required',
      expectancy: 'required',
    };
    expectEach('by tag', view.byTag, stats);
    expectEach('by hour', view.byHour, stats);
    const csv = await fetch(`${server.url}/api/analytics/trades.csv`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    checked.add('GET /api/analytics/trades.csv');

    const entry: Keys<JournalEntryView> = {
      tradeId: 'required',
      day: 'required',
      tags: 'required',
      note: 'required',
      updatedAt: 'required',
    };
    const route = '/api/journal/trades/:tradeId';
    expectShape('PUT trade entry', await call('PUT', route, `/api/journal/trades/${tradeId}`, { tags: ['shape'], note: 'n' }), entry);
    expectShape('GET trade entry', await call('GET', route, `/api/journal/trades/${tradeId}`), entry);
    expectShape('PUT day entry', await call('PUT', '/api/journal/days/:date', '/api/journal/days/2026-12-01', { note: 'd' }), entry);
    expectShape('GET day entry', await call('GET', '/api/journal/days/:date', '/api/journal/days/2026-12-01'), entry);
    expectEach('GET /api/journal', await call('GET', '/api/journal'), entry);
    expectEach<JournalTagView>('GET /api/journal/tags', await call('GET', '/api/journal/tags'), { tag: 'required', entries: 'required' });
  });

  it('backtests: a run, its progress, report and comparison, the history files', async () => {
    const run: Keys<BacktestRunView> = {
      id: 'required',
      label: 'required',
      strategy: 'required',
      ticker: 'required',
      state: 'required',
      done: 'required',
      total: 'required',
      startedAt: 'required',
      error: 'required',
      pnl: 'required',
      trades: 'required',
    };
    const bars = 'time,open,high,low,close\n1704205800,100,101,99,100.5\n1704205860,100.5,102,100,101\n';
    const alerts = JSON.stringify([
      { time: 1704205810000, alert: { ticker: 'ES1!', action: 'buy', quantity: 1 } },
      { time: 1704205870000, alert: { ticker: 'ES1!', action: 'exit' } },
      // Refused: a note.
      { time: 1704205880000, alert: { ticker: 'ES1!', action: 'jump' } },
    ]);
    const started = (await call(
      'POST',
      '/api/backtests',
      undefined,
      { ticker: 'ES1!', bars, alerts, strategy: 'pass-through' },
      [202],
    )) as BacktestRunView;
    expectShape('POST /api/backtests', started, run);
    await eventually(
      async () => ((await http(server.url, 'GET', `/api/backtests/${started.id}`)).body as BacktestRunView).state === 'done',
    );
    const other = (await http(server.url, 'POST', '/api/backtests', { ticker: 'ES1!', bars, strategy: 'pass-through' }))
      .body as BacktestRunView;
    await eventually(async () => ((await http(server.url, 'GET', `/api/backtests/${other.id}`)).body as BacktestRunView).state === 'done');
    expectShape('GET /api/backtests/:id', await call('GET', '/api/backtests/:id', `/api/backtests/${started.id}`), run);
    expectEach('GET /api/backtests', await call('GET', '/api/backtests'), run);
    const report = (await call('GET', '/api/backtests/:id/report', `/api/backtests/${started.id}/report`)) as BacktestReport;
    expectShape<BacktestReport>('report', report, {
      id: 'required',
      label: 'required',
      strategy: 'required',
      ticker: 'required',
      params: 'required',
      from: 'required',
      to: 'required',
      stats: 'required',
      trades: 'required',
      fills: 'required',
      summary: 'required',
      calendar: 'required',
      series: 'required',
      notes: 'required',
    });
    expectShape<BacktestStats>('report stats', report.stats, {
      bars: 'required',
      quotes: 'required',
      alerts: 'required',
      scriptCalls: 'required',
      elapsedMs: 'required',
      barsPerSecond: 'required',
      quotesPerSecond: 'required',
    });
    expect(report.fills.length).toBe(2);
    expectEach('report fills', report.fills, FILL);
    expectEach('report trades', report.trades, TRADE);
    expectShape('report summary', report.summary, SUMMARY);
    expectEach('report calendar', report.calendar, CALENDAR);
    expectShape('report series', report.series, SERIES);
    expectEach('report series points', report.series.points, POINT);
    expectEach<BacktestNote>('report notes', report.notes, { time: 'required', level: 'required', message: 'required' });
    const compared = (await call(
      'GET',
      '/api/backtests/compare',
      `/api/backtests/compare?ids=${started.id},${other.id}`,
    )) as BacktestComparison;
    expectShape<BacktestComparison>('compare', compared, { runs: 'required' });
    expectEach<BacktestComparison['runs'][number]>('compare runs', compared.runs, {
      id: 'required',
      label: 'required',
      params: 'required',
      pnl: 'required',
      trades: 'required',
      winRate: 'required',
      profitFactor: 'required',
      maxDrawdown: 'required',
    });
    mkdirSync(join(server.config.dataDir, 'history'), { recursive: true });
    writeFileSync(join(server.config.dataDir, 'history', 'bars.csv'), bars);
    const file: Keys<HistoryFileView> = { name: 'required', bytes: 'required', modifiedAt: 'required' };
    expectEach('GET /api/backtests/data', await call('GET', '/api/backtests/data'), file);
  });

  it('leaves no route that answers JSON unchecked', () => {
    // Routes that answer 204 (nothing to shape), and the intake TradingView calls (not the admin's).
    const noBody = [
      'POST /api/auth/logout',
      'POST /api/auth/password',
      'DELETE /api/auth/sessions/:id',
      'DELETE /api/auth/tokens/:id',
      'DELETE /api/strategies/:id',
      'DELETE /api/scripts/:name',
      'DELETE /api/notifications/channels/:id',
      'POST /webhooks/:token',
    ];
    const routes = routeTable(server.app)
      .filter((r) => (r.url.startsWith('/api/') || r.url.startsWith('/webhooks/')) && !r.url.startsWith('/api/docs'))
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !r.startsWith('HEAD '));
    expect(routes.filter((r) => !checked.has(r) && !noBody.includes(r))).toEqual([]);
  });
});
