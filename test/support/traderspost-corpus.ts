/**
 * The alert payloads TradersPost documents in its public docs repository (TradersPost/docs: the
 * webhook spec's request example, the signal reference pages, the asset pages, the TradingView
 * and TrendSpider pages with their placeholders rendered as those services render them, and the
 * Pine Script alert strings), each with the file and line it comes from and what Tradeloop must
 * do with it. Positions follow TradingView's strategy semantics (docs/alerts.md); where TradersPost
 * leaves a behaviour to a subscription setting, the case says which setting Tradeloop's behaviour
 * is. Non-alert blocks (responses, market-data samples) are left out.
 *
 * Prices: a real feed quotes each ticker (bid, ask one cent or one tick above); paper fills take
 * that quote before the alert's price. Cases move a ticker's market where the docs' prices need it
 * (a take profit at 19.99 is only a take profit below a market near 15).
 */

export type Market = Record<string, number | [number, number]>;

export interface CorpusOrder {
  side: 'buy' | 'sell';
  quantity: number;
  type: string;
  status: string;
  limitPrice?: number;
  stopPrice?: number;
  avgFillPrice?: number;
  timeInForce?: string;
  extendedHours?: boolean;
}

export interface CorpusExpect {
  status: 202 | 400;
  /** The 400's message. */
  message?: RegExp;
  /** The 202's notes, joined. */
  notes?: RegExp;
  /** The position in the case's ticker after the alert. */
  position?: number;
  /** The alert's own orders (entries, not the bracket legs), in clientOrderId order. */
  orders?: CorpusOrder[];
  /** The bracket legs placed once the entry filled. */
  takeProfit?: number;
  stopLoss?: number;
  stopLossType?: 'stop' | 'stop_limit';
  /** The setup's working orders the alert cancelled, and those it left working. */
  cancelled?: number;
  stillWorking?: number;
  delayed?: boolean;
  /** Where the entry fill's price came from. */
  fillSource?: string;
}

export interface CorpusStep {
  market: Market;
  expect: CorpusExpect & { heldStop?: number; triggered?: boolean };
}

export interface CorpusCase {
  /** File and line in TradersPost/docs. */
  source: string;
  name: string;
  /** The alert message as sent. */
  body: string;
  /** The canonical ticker it trades. */
  ticker: string;
  /** The strategy's position before the alert. */
  before?: number;
  /** Setup alerts that leave working orders before the case's alert. */
  working?: string[];
  market?: Market;
  /** A paper account of its own with this starting balance (for sizing from equity). */
  account?: number;
  expect: CorpusExpect;
  /** Quotes that move afterwards, and what follows from them. */
  after?: CorpusStep[];
}

/** The markets a real feed quotes unless a case says otherwise: the docs' own prices where they give one. */
export const DEFAULT_MARKET: Record<string, [number, number]> = {
  SPY: [660, 660.01],
  SQ: [60.3, 60.31],
  AMD: [143.12, 143.13],
  MSFT: [420, 420.01],
  QQQ: [500, 500.01],
  TSLA: [420.69, 420.7],
  AAPL: [191.25, 191.26],
  GOOGL: [175, 175.01],
  'MNQ1!': [23810.25, 23810.5],
  'NQ1!': [25000, 25000.25],
  'GC1!': [4100, 4100.1],
};
export const CORPUS_TICKERS = Object.keys(DEFAULT_MARKET);

const j = (value: unknown) => JSON.stringify(value, null, 4);
const filled = (side: 'buy' | 'sell', quantity: number, avgFillPrice?: number): CorpusOrder => ({
  side,
  quantity,
  type: 'market',
  status: 'filled',
  ...(avgFillPrice !== undefined ? { avgFillPrice } : {}),
});
const ok = (position: number, orders: CorpusOrder[], more: Partial<CorpusExpect> = {}): CorpusExpect => ({
  status: 202,
  position,
  orders,
  ...more,
});
const refused = (message: RegExp): CorpusExpect => ({ status: 400, message });

/** TradingView's rendering of a placeholder template (strings stay strings, as TradingView sends them). */
const rendered = (template: Record<string, unknown>, values: Record<string, string>) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(template).map(([key, value]) => [
        key,
        typeof value === 'string' ? value.replace(/\{\{([^}]+)\}\}|%([a-z_]+)%/g, (all, tv, ts) => values[tv ?? ts] ?? all) : value,
      ]),
    ),
    null,
    4,
  );
const TV_STRATEGY = {
  ticker: '{{ticker}}',
  action: '{{strategy.order.action}}',
  sentiment: '{{strategy.market_position}}',
  quantity: '{{strategy.order.contracts}}',
  price: '{{close}}',
  time: '{{timenow}}',
  interval: '{{interval}}',
};
const TV_TIME = { timenow: '2026-12-04T15:30:00Z', interval: '5' };

/** SQ and SPY share the take profit / stop loss examples on two pages. */
function exitExamples(page: string, lines: number[], ticker: 'SPY' | 'SQ'): CorpusCase[] {
  const [bid, ask] = DEFAULT_MARKET[ticker];
  const mid = (bid + ask) / 2;
  const tick = 0.01;
  // Relative exits without a signal price: TradersPost estimates the entry at the quote's midpoint;
  // Tradeloop turns the distance into whole ticks at that midpoint (rounded toward the entry, at
  // least one) and places the legs from the fill.
  const away = (distance: number, sign: number) => Number((ask + sign * Math.max(1, Math.floor(distance / tick + 1e-6)) * tick).toFixed(2));
  const low: Market = { [ticker]: [15, 15.01] };
  const [l1, l2, l3, l4, l5, l6, l7, l8, l9, l10] = lines;
  return [
    {
      source: `${page}:${l1}`,
      name: 'a take profit by percent',
      body: j({ ticker, action: 'buy', takeProfit: { percent: 10 } }),
      ticker,
      expect: ok(1, [filled('buy', 1, ask)], { takeProfit: away(mid * 0.1, 1) }),
    },
    {
      source: `${page}:${l2}`,
      name: 'a take profit by amount',
      body: j({ ticker, action: 'buy', takeProfit: { amount: 10 } }),
      ticker,
      expect: ok(1, [filled('buy', 1, ask)], { takeProfit: away(10, 1) }),
    },
    {
      source: `${page}:${l3}`,
      name: 'a take profit at a limit price',
      body: j({ ticker, action: 'buy', takeProfit: { limitPrice: 19.99 } }),
      ticker,
      market: low,
      expect: ok(1, [filled('buy', 1, 15.01)], { takeProfit: 19.99 }),
    },
    {
      source: `${page}:${l4}`,
      name: "a stop loss by percent (the spec example's stop)",
      body: j({ ticker, action: 'buy', stopLoss: { type: 'stop', percent: 5 } }),
      ticker,
      expect: ok(1, [filled('buy', 1, ask)], { stopLoss: away(mid * 0.05, -1), stopLossType: 'stop' }),
    },
    {
      source: `${page}:${l5}`,
      name: 'a stop loss by amount',
      body: j({ ticker, action: 'buy', stopLoss: { type: 'stop', amount: 5 } }),
      ticker,
      expect: ok(1, [filled('buy', 1, ask)], { stopLoss: away(5, -1), stopLossType: 'stop' }),
    },
    {
      source: `${page}:${l6}`,
      name: 'a stop loss at a stop price',
      body: j({ ticker, action: 'buy', stopLoss: { type: 'stop', stopPrice: 10.71 } }),
      ticker,
      market: low,
      expect: ok(1, [filled('buy', 1, 15.01)], { stopLoss: 10.71, stopLossType: 'stop' }),
    },
    {
      source: `${page}:${l7}`,
      name: 'a stop-limit stop loss',
      body: j({ ticker, action: 'buy', stopLoss: { type: 'stop_limit', stopPrice: 10.71, limitPrice: 10.75 } }),
      ticker,
      market: low,
      expect: ok(1, [filled('buy', 1, 15.01)], { stopLoss: 10.71, stopLossType: 'stop_limit' }),
    },
    {
      source: `${page}:${l8}`,
      name: 'a 1 % trailing stop loss',
      body: j({ ticker, action: 'buy', stopLoss: { type: 'trailing_stop', trailPercent: 1 } }),
      ticker,
      expect: ok(1, [filled('buy', 1, ask)], { stopLoss: away(mid * 0.01, -1), stopLossType: 'stop' }),
    },
    {
      source: `${page}:${l9}`,
      name: `a $1 trailing stop loss (${page.startsWith('learn') ? 'trailPrice, the older name' : 'trailAmount'})`,
      body: j({ ticker, action: 'buy', stopLoss: { type: 'trailing_stop', [page.startsWith('learn') ? 'trailPrice' : 'trailAmount']: 1 } }),
      ticker,
      expect: ok(1, [filled('buy', 1, ask)], { stopLoss: away(1, -1), stopLossType: 'stop' }),
    },
    {
      source: `${page}:${l10}`,
      name: 'a take profit and a stop loss together',
      body: j({ ticker, action: 'buy', takeProfit: { limitPrice: 19.99 }, stopLoss: { type: 'stop', stopPrice: 10.71 } }),
      ticker,
      market: low,
      expect: ok(1, [filled('buy', 1, 15.01)], { takeProfit: 19.99, stopLoss: 10.71 }),
    },
  ];
}

const SPY_LIMIT = '{"ticker":"SPY","action":"buy","orderType":"limit","limitPrice":600}';
const SPY_STOP = '{"ticker":"SPY","action":"buy","orderType":"stop","stopPrice":700}';

export const CORPUS: CorpusCase[] = [
  // The webhook spec (webhook-spec.json): its request example, sentiment "long" and "test" included.
  {
    source: 'webhook-spec.json (requestBody example)',
    name: 'the spec request example: market buy 10 with a 10 % take profit and a 5 % stop',
    body: j({
      ticker: 'AAPL',
      action: 'buy',
      sentiment: 'long',
      price: 191.25,
      quantity: 10,
      quantityType: 'fixed_quantity',
      orderType: 'market',
      time: '2025-06-18T14:30:00Z',
      test: true,
      takeProfit: { percent: 10 },
      stopLoss: { type: 'stop', percent: 5 },
      extras: { strategy: 'EMA_Crossover', comment: 'Breakout entry', exitType: 'trailing_atr' },
    }),
    ticker: 'AAPL',
    // Exits from the signal price 191.25, on the grid toward the entry: 210.375 → 210.37, 181.6875 → 181.69.
    expect: ok(10, [filled('buy', 10, 191.26)], { takeProfit: 210.37, stopLoss: 181.69, fillSource: 'quote:ws-data-feed' }),
  },

  // core-concepts/webhooks.md, the signal message reference.
  {
    source: 'core-concepts/webhooks.md:18',
    name: 'buy with a signal price, a 10 % take profit and a 5 % stop (measured from 143.12)',
    body: j({
      ticker: 'AMD',
      action: 'buy',
      signalPrice: 143.12,
      quantity: 1,
      takeProfit: { percent: 10 },
      stopLoss: { type: 'stop', percent: 5 },
    }),
    ticker: 'AMD',
    // 157.432 → 157.43 and 135.964 → 135.97, toward the entry.
    expect: ok(1, [filled('buy', 1, 143.13)], { takeProfit: 157.43, stopLoss: 135.97 }),
  },
  {
    source: 'core-concepts/webhooks.md:40',
    name: 'the TradingView indicator template, rendered',
    body: rendered(
      { ticker: '{{ticker}}', action: 'buy', price: '{{close}}', time: '{{timenow}}', interval: '{{interval}}' },
      { ticker: 'SPY', close: '660.00', ...TV_TIME },
    ),
    ticker: 'SPY',
    expect: ok(1, [filled('buy', 1, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:40',
    name: 'the TradingView indicator template, sent with its placeholders unfilled',
    body: j({ ticker: '{{ticker}}', action: 'buy', price: '{{close}}', time: '{{timenow}}', interval: '{{interval}}' }),
    ticker: 'SPY',
    expect: refused(/^ticker "\{\{ticker\}\}" is not a symbol.*a placeholder that was not filled in/),
  },
  {
    source: 'core-concepts/webhooks.md:47',
    name: 'the TradingView strategy template: an entry long',
    body: rendered(TV_STRATEGY, {
      ticker: 'SPY',
      'strategy.order.action': 'buy',
      'strategy.market_position': 'long',
      'strategy.order.contracts': '2',
      close: '660.00',
      ...TV_TIME,
    }),
    ticker: 'SPY',
    expect: ok(2, [filled('buy', 2, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:47',
    name: 'the TradingView strategy template: a reversal to short (contracts 4 from long 2)',
    body: rendered(TV_STRATEGY, {
      ticker: 'SPY',
      'strategy.order.action': 'sell',
      'strategy.market_position': 'short',
      'strategy.order.contracts': '4',
      close: '660.00',
      ...TV_TIME,
    }),
    ticker: 'SPY',
    before: 2,
    expect: ok(-2, [filled('sell', 4, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:47',
    name: 'the TradingView strategy template: a close (market_position flat)',
    body: rendered(TV_STRATEGY, {
      ticker: 'SPY',
      'strategy.order.action': 'sell',
      'strategy.market_position': 'flat',
      'strategy.order.contracts': '2',
      close: '660.00',
      ...TV_TIME,
    }),
    ticker: 'SPY',
    before: 2,
    expect: ok(0, [filled('sell', 2, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:47',
    name: 'the TradingView strategy template: flat ends flat even when a missed alert left more',
    body: rendered(TV_STRATEGY, {
      ticker: 'SPY',
      'strategy.order.action': 'sell',
      'strategy.market_position': 'flat',
      'strategy.order.contracts': '1',
      close: '660.00',
      ...TV_TIME,
    }),
    ticker: 'SPY',
    before: 3,
    expect: ok(0, [filled('sell', 3, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:58',
    name: 'the TrendSpider template, rendered',
    body: rendered({ ticker: '%alert_symbol%', action: 'buy', price: '%last_price%' }, { alert_symbol: 'SPY', last_price: '660.00' }),
    ticker: 'SPY',
    expect: ok(1, [filled('buy', 1, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:58',
    name: 'the custom-code example (curl)',
    body: '{"ticker": "MNQ", "action": "buy"}',
    ticker: 'MNQ1!',
    expect: ok(1, [filled('buy', 1, 23810.5)]),
  },
  {
    source: 'core-concepts/webhooks.md:102',
    name: 'ticker and action',
    body: j({ ticker: 'MSFT', action: 'buy' }),
    ticker: 'MSFT',
    expect: ok(1, [filled('buy', 1, 420.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:112',
    name: 'add to an open position',
    body: j({ ticker: 'SPY', action: 'add' }),
    ticker: 'SPY',
    before: 2,
    expect: ok(3, [filled('buy', 1, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:123',
    name: 'cancel the open orders of the ticker',
    body: j({ ticker: 'SPY', action: 'cancel' }),
    ticker: 'SPY',
    working: [SPY_LIMIT],
    expect: ok(0, [], { cancelled: 1, stillWorking: 0 }),
  },
  {
    source: 'core-concepts/webhooks.md:132',
    name: 'exit and cancel open orders first',
    body: j({ ticker: 'SPY', action: 'exit', cancel: true }),
    ticker: 'SPY',
    before: 2,
    working: [SPY_LIMIT],
    expect: ok(0, [filled('sell', 2, 660)], { cancelled: 1, stillWorking: 0 }),
  },
  {
    source: 'core-concepts/webhooks.md:142',
    name: 'exit keeping open orders (cancel: false)',
    body: j({ ticker: 'SPY', action: 'exit', cancel: false }),
    ticker: 'SPY',
    before: 2,
    working: [SPY_LIMIT],
    expect: ok(0, [filled('sell', 2, 660)], { cancelled: 0, stillWorking: 1 }),
  },
  {
    source: 'core-concepts/webhooks.md:152',
    name: 'cancel only the stop orders (cancelOrderType)',
    body: j({ ticker: 'SPY', action: 'cancel', cancelOrderType: 'stop' }),
    ticker: 'SPY',
    working: [SPY_LIMIT, SPY_STOP],
    expect: ok(0, [], { cancelled: 1, stillWorking: 1 }),
  },
  {
    source: 'core-concepts/webhooks.md:188',
    name: 'market buy with signalPrice 18500 and a $100 take profit: the take profit at 18600',
    body: j({ ticker: 'MNQ', action: 'buy', orderType: 'market', signalPrice: 18500, takeProfit: { amount: 100 } }),
    ticker: 'MNQ1!',
    market: { 'MNQ1!': [18500, 18500.25] },
    expect: ok(1, [filled('buy', 1, 18500.25)], { takeProfit: 18600 }),
  },
  {
    source: 'core-concepts/webhooks.md:202',
    name: 'limit buy at 18500 with a $100 take profit: the take profit from the limit price',
    body: j({ ticker: 'MNQ', action: 'buy', orderType: 'limit', limitPrice: 18500, takeProfit: { amount: 100 } }),
    ticker: 'MNQ1!',
    market: { 'MNQ1!': [18510, 18510.25] },
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 18500 }]),
    after: [{ market: { 'MNQ1!': [18499.75, 18500] }, expect: { status: 202, position: 1, takeProfit: 18600 } }],
  },
  {
    source: 'core-concepts/webhooks.md:226',
    name: 'a signal quantity',
    body: j({ ticker: 'SPY', action: 'buy', quantity: 5 }),
    ticker: 'SPY',
    expect: ok(5, [filled('buy', 5, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:265',
    name: 'fixed_quantity 100',
    body: j({ ticker: 'SPY', action: 'buy', quantityType: 'fixed_quantity', quantity: 100 }),
    ticker: 'SPY',
    expect: ok(100, [filled('buy', 100, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:278',
    name: 'dollar_amount $1000 at $100: 10 shares',
    body: j({ ticker: 'SPY', action: 'buy', quantityType: 'dollar_amount', quantity: 1000 }),
    ticker: 'SPY',
    market: { SPY: [99.99, 100.01] },
    expect: ok(10, [filled('buy', 10, 100.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:290',
    name: 'risk_dollar_amount $100 from 100 to a stop at 90: 10 shares',
    body: j({
      ticker: 'SPY',
      action: 'buy',
      signalPrice: 100,
      quantityType: 'risk_dollar_amount',
      quantity: 100,
      stopLoss: { type: 'stop', stopPrice: 90 },
    }),
    ticker: 'SPY',
    market: { SPY: [100, 100.01] },
    expect: ok(10, [filled('buy', 10, 100.01)], { stopLoss: 90 }),
  },
  {
    source: 'core-concepts/webhooks.md:308',
    name: 'risk_percent 1 % of a $10,000 account from 100 to 90: 10 shares',
    body: j({
      ticker: 'SPY',
      action: 'buy',
      signalPrice: 100,
      quantityType: 'risk_percent',
      quantity: 1,
      stopLoss: { type: 'stop', stopPrice: 90 },
    }),
    ticker: 'SPY',
    account: 10_000,
    market: { SPY: [100, 100.01] },
    expect: ok(10, [filled('buy', 10, 100.01)], { stopLoss: 90 }),
  },
  {
    source: 'core-concepts/webhooks.md:326',
    name: 'percent_of_equity 10 % of $10,000 at $100: 10 shares',
    body: j({ ticker: 'SPY', action: 'buy', quantityType: 'percent_of_equity', quantity: 10 }),
    ticker: 'SPY',
    account: 10_000,
    market: { SPY: [99.99, 100.01] },
    expect: ok(10, [filled('buy', 10, 100.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:338',
    name: 'exit 50 % of a 10-share position',
    body: j({ ticker: 'SPY', action: 'exit', quantityType: 'percent_of_position', quantity: 50 }),
    ticker: 'SPY',
    before: 10,
    expect: ok(5, [filled('sell', 5, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:354',
    name: 'a limit order below the market rests',
    body: j({ ticker: 'SPY', action: 'buy', orderType: 'limit', limitPrice: 50.5 }),
    ticker: 'SPY',
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 50.5 }]),
  },
  {
    source: 'core-concepts/webhooks.md:365',
    name: 'a stop-limit entry: held until the stop is touched, then its limit goes to the broker',
    body: j({ ticker: 'SPY', action: 'buy', orderType: 'stop_limit', stopPrice: 60, limitPrice: 50.5 }),
    ticker: 'SPY',
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'stop_limit', status: 'working', stopPrice: 60, limitPrice: 50.5 }]),
    after: [{ market: { SPY: [660.02, 660.03] }, expect: { status: 202, position: 0, triggered: true } }],
  },
  {
    source: 'core-concepts/webhooks.md:397',
    name: 'time in force gtc',
    body: j({ ticker: 'SPY', action: 'buy', orderType: 'limit', limitPrice: 50.5, timeInForce: 'gtc' }),
    ticker: 'SPY',
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 50.5, timeInForce: 'gtc' }]),
  },
  {
    source: 'core-concepts/webhooks.md:409',
    name: 'extended hours',
    body: j({ ticker: 'SPY', action: 'buy', orderType: 'limit', limitPrice: 50.5, timeInForce: 'gtc', extendedHours: true }),
    ticker: 'SPY',
    expect: ok(0, [
      { side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 50.5, timeInForce: 'gtc', extendedHours: true },
    ]),
  },
  {
    source: 'core-concepts/webhooks.md:434',
    name: 'exit with ignoreTradingWindows (noted, exits pass anyway)',
    body: j({ ticker: 'SPY', action: 'exit', ignoreTradingWindows: true }),
    ticker: 'SPY',
    before: 2,
    expect: ok(0, [filled('sell', 2, 660)], { notes: /ignoreTradingWindows ignored/ }),
  },
  {
    source: 'core-concepts/webhooks.md:469',
    name: 'a 60-second delay: held, nothing traded yet',
    body: j({ ticker: 'QQQ', action: 'buy', delay: 60 }),
    ticker: 'QQQ',
    expect: ok(0, [], { delayed: true }),
  },
  {
    source: 'core-concepts/webhooks.md:488',
    name: "extras are the sender's own",
    body: j({ ticker: 'SPY', action: 'buy', extras: { message: 'RSI Below 30', rsi: 23 } }),
    ticker: 'SPY',
    expect: ok(1, [filled('buy', 1, 660.01)]),
  },
  ...exitExamples('core-concepts/webhooks.md', [521, 533, 545, 579, 592, 605, 618, 632, 645, 843], 'SPY'),
  {
    source: 'core-concepts/webhooks.md:664',
    name: 'an option contract in the ticker',
    body: j({ ticker: 'SPY 240510C68', action: 'buy' }),
    ticker: 'SPY',
    expect: refused(/^ticker "SPY 240510C68" is an option \(SPY call 68 expiring 2024-05-10\): options are not supported/),
  },
  {
    source: 'core-concepts/webhooks.md:673',
    name: 'an option chain scan',
    body: j({ ticker: 'SPY', action: 'buy', optionType: 'call', expiration: '+6 months', intrinsicValue: 'itm', strikesAway: 2 }),
    ticker: 'SPY',
    expect: refused(/^optionType: options are not supported/),
  },
  {
    source: 'core-concepts/webhooks.md:686',
    name: 'an option by its fields',
    body: j({ ticker: 'SPY', action: 'buy', optionType: 'call', expiration: '2024-05-10', strikePrice: 68 }),
    ticker: 'SPY',
    expect: refused(/^optionType: options are not supported/),
  },
  {
    source: 'core-concepts/webhooks.md:734',
    name: 'enter bullish',
    body: j({ ticker: 'SPY', action: 'buy' }),
    ticker: 'SPY',
    expect: ok(1, [filled('buy', 1, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:743',
    name: 'exit bullish',
    body: j({ ticker: 'SPY', action: 'exit' }),
    ticker: 'SPY',
    before: 3,
    expect: ok(0, [filled('sell', 3, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:752',
    name: 'sell with sentiment flat exits the whole long',
    body: j({ ticker: 'SPY', action: 'sell', sentiment: 'flat' }),
    ticker: 'SPY',
    before: 3,
    expect: ok(0, [filled('sell', 3, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:764',
    name: 'enter bearish',
    body: j({ ticker: 'SPY', action: 'sell' }),
    ticker: 'SPY',
    expect: ok(-1, [filled('sell', 1, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:773',
    name: 'exit bearish',
    body: j({ ticker: 'SPY', action: 'exit' }),
    ticker: 'SPY',
    before: -2,
    expect: ok(0, [filled('buy', 2, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:782',
    name: 'buy with sentiment flat exits the whole short',
    body: j({ ticker: 'SPY', action: 'buy', sentiment: 'flat' }),
    ticker: 'SPY',
    before: -3,
    expect: ok(0, [filled('buy', 3, 660.01)]),
  },
  {
    source: 'core-concepts/webhooks.md:796',
    name: 'a partial exit of 2 of 5',
    body: j({ ticker: 'SPY', action: 'exit', quantity: 2 }),
    ticker: 'SPY',
    before: 5,
    expect: ok(3, [filled('sell', 2, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:796',
    name: 'a partial exit larger than the position exits it all',
    body: j({ ticker: 'SPY', action: 'exit', quantity: 2 }),
    ticker: 'SPY',
    before: 1,
    expect: ok(0, [filled('sell', 1, 660)]),
  },
  {
    source: 'core-concepts/webhooks.md:810',
    name: 'a $1 trailing stop exit from signal price 71: stop at 70, then 71 at 72, sold at 70.99',
    body: j({ ticker: 'SPY', action: 'exit', orderType: 'trailing_stop', signalPrice: 71, trailAmount: '1' }),
    ticker: 'SPY',
    before: 5,
    market: { SPY: [71, 71.01] },
    expect: ok(5, [{ side: 'sell', quantity: 5, type: 'trailing_stop', status: 'working', stopPrice: 70 }]),
    after: [
      { market: { SPY: [72, 72.01] }, expect: { status: 202, position: 5, heldStop: 71 } },
      { market: { SPY: [70.99, 71] }, expect: { status: 202, position: 0 } },
    ],
  },
  {
    source: 'core-concepts/webhooks.md:826',
    name: 'a limit entry at 71 with a $1 trailing stop loss: the stop at 70 once filled',
    body: j({ ticker: 'SPY', action: 'buy', orderType: 'limit', limitPrice: 71, stopLoss: { type: 'trailing_stop', trailAmount: 1 } }),
    ticker: 'SPY',
    market: { SPY: [71.5, 71.51] },
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 71 }]),
    after: [{ market: { SPY: [70.99, 71] }, expect: { status: 202, position: 1, stopLoss: 70 } }],
  },
  {
    source: 'core-concepts/webhooks.md:873',
    name: 'a trailing comma (documented as malformed)',
    body: '{\n    "ticker": "TSLA",\n    "action": "buy",\n}',
    ticker: 'TSLA',
    expect: refused(/must be JSON.*no trailing comma/),
  },
  {
    source: 'core-concepts/webhooks.md:882',
    name: 'the corrected JSON',
    body: j({ ticker: 'TSLA', action: 'buy' }),
    ticker: 'TSLA',
    expect: ok(1, [filled('buy', 1, 420.7)]),
  },
  {
    source: 'core-concepts/webhooks.md:893',
    name: 'typographic quotes (documented as malformed)',
    body: '{\n    “ticker”: “TSLA”,\n    “action”: “buy”\n}',
    ticker: 'TSLA',
    expect: refused(/must be JSON.*typographic quotes/),
  },
  // Documented as invalid-sentiment-action at TradersPost; Tradeloop exits, as both fields say to.
  {
    source: 'core-concepts/webhooks.md:927',
    name: 'exit with sentiment flat (TradersPost refuses it; both fields mean exit)',
    body: j({ ticker: 'GOOGL', action: 'exit', sentiment: 'flat' }),
    ticker: 'GOOGL',
    before: 2,
    expect: ok(0, [filled('sell', 2, 175)]),
  },
  {
    source: 'core-concepts/webhooks.md:927',
    name: 'exit the entire position',
    body: j({ ticker: 'GOOGL', action: 'exit' }),
    ticker: 'GOOGL',
    before: 2,
    expect: ok(0, [filled('sell', 2, 175)]),
  },
  {
    source: 'core-concepts/webhooks.md:927',
    name: 'the documentation block as written (two objects and // comments)',
    body: '// Invalid JSON\n{\n    "ticker": "GOOGL",\n    "action": "exit",\n    "sentiment": "flat"\n}\n\n// Valid JSON that will exit the entire GOOGL position\n{\n    "ticker": "GOOGL",\n    "action": "exit"\n}',
    ticker: 'GOOGL',
    expect: refused(/must be JSON.*no comments/),
  },
  {
    source: 'core-concepts/webhooks.md:966',
    name: 'an empty ticker',
    body: j({ ticker: '', action: 'buy' }),
    ticker: 'SPY',
    expect: refused(/^ticker is required \(this strategy has no default ticker\)/),
  },
  {
    source: 'core-concepts/signals.md:17',
    name: 'a continuous contract',
    body: j({ ticker: 'MNQ1!', action: 'buy', quantity: 3 }),
    ticker: 'MNQ1!',
    expect: ok(3, [filled('buy', 3, 23810.5)]),
  },
  {
    source: 'core-concepts/signals/signal-template-creator.md:13',
    name: 'NQ1! with a signal price and a time',
    body: j({ ticker: 'NQ1!', action: 'buy', signalPrice: 18250.5, quantity: 2, time: '2025-06-17T10:30:00Z' }),
    ticker: 'NQ1!',
    expect: ok(2, [filled('buy', 2, 25000.25)]),
  },
  {
    source: 'core-concepts/signals/signal-template-creator.md:63',
    name: "the template creator's bracket template, rendered: exits 20 and 10 points from {{close}}",
    body: rendered(
      {
        ticker: '{{ticker}}',
        action: 'buy',
        takeProfit: { amount: '20' },
        stopLoss: { type: 'stop', amount: '10' },
        signalPrice: '{{close}}',
        time: '{{timenow}}',
        interval: '{{interval}}',
      },
      { ticker: 'MNQ1!', close: '23810.25', ...TV_TIME },
    ),
    ticker: 'MNQ1!',
    expect: ok(1, [filled('buy', 1, 23810.5)], { takeProfit: 23830.25, stopLoss: 23800.25 }),
  },

  // learn/webhooks.md: the same reference with SQ, and the older trailPrice.
  {
    source: 'learn/webhooks.md:15',
    name: 'the simplest webhook',
    body: j({ ticker: 'AMD', action: 'buy' }),
    ticker: 'AMD',
    expect: ok(1, [filled('buy', 1, 143.13)]),
  },
  {
    source: 'learn/webhooks.md:111',
    name: 'the payload echoed in the 200 response',
    body: j({ ticker: 'NQ', action: 'buy', sentiment: 'bullish', price: 12663.5, quantity: 1 }),
    ticker: 'NQ1!',
    expect: ok(1, [filled('buy', 1, 25000.25)]),
  },
  {
    source: 'learn/webhooks.md:132',
    name: 'an invalid action',
    body: j({ ticker: 'NQ', action: 'bu' }),
    ticker: 'NQ1!',
    expect: refused(/^action must be one of buy, sell, exit, close, cancel, add; got "bu"/),
  },
  {
    source: 'learn/webhooks.md:178',
    name: 'enter bullish',
    body: j({ ticker: 'SQ', action: 'buy' }),
    ticker: 'SQ',
    expect: ok(1, [filled('buy', 1, 60.31)]),
  },
  {
    source: 'learn/webhooks.md:187',
    name: 'exit bullish',
    body: j({ ticker: 'SQ', action: 'exit' }),
    ticker: 'SQ',
    before: 1,
    expect: ok(0, [filled('sell', 1, 60.3)]),
  },
  {
    source: 'learn/webhooks.md:196',
    name: 'sell with sentiment flat',
    body: j({ ticker: 'SQ', action: 'sell', sentiment: 'flat' }),
    ticker: 'SQ',
    before: 4,
    expect: ok(0, [filled('sell', 4, 60.3)]),
  },
  {
    source: 'learn/webhooks.md:206',
    name: 'enter bearish',
    body: j({ ticker: 'SQ', action: 'sell' }),
    ticker: 'SQ',
    expect: ok(-1, [filled('sell', 1, 60.3)]),
  },
  {
    source: 'learn/webhooks.md:224',
    name: 'buy with sentiment flat',
    body: j({ ticker: 'SQ', action: 'buy', sentiment: 'flat' }),
    ticker: 'SQ',
    before: -4,
    expect: ok(0, [filled('buy', 4, 60.31)]),
  },
  {
    source: 'learn/webhooks.md:236',
    name: 'cancel open orders',
    body: j({ ticker: 'SQ', action: 'cancel' }),
    ticker: 'SQ',
    working: ['{"ticker":"SQ","action":"buy","orderType":"limit","limitPrice":50}'],
    expect: ok(0, [], { cancelled: 1 }),
  },
  {
    source: 'learn/webhooks.md:247',
    name: 'add to an open position',
    body: j({ ticker: 'SQ', action: 'add' }),
    ticker: 'SQ',
    before: 1,
    expect: ok(2, [filled('buy', 1, 60.31)]),
  },
  {
    source: 'learn/webhooks.md:247',
    name: 'add with no position is ignored (TradersPost rejects it)',
    body: j({ ticker: 'SQ', action: 'add' }),
    ticker: 'SQ',
    expect: ok(0, []),
  },
  {
    source: 'learn/webhooks.md:258',
    name: 'a signal quantity',
    body: j({ ticker: 'SQ', action: 'buy', quantity: 5 }),
    ticker: 'SQ',
    expect: ok(5, [filled('buy', 5, 60.31)]),
  },
  {
    source: 'learn/webhooks.md:274',
    name: 'a signal price (a real quote fills first)',
    body: j({ ticker: 'SQ', action: 'buy', price: 60.3 }),
    ticker: 'SQ',
    expect: ok(1, [filled('buy', 1, 60.31)], { fillSource: 'quote:ws-data-feed' }),
  },
  ...exitExamples('learn/webhooks.md', [302, 314, 326, 360, 373, 386, 399, 413, 426, 441], 'SQ'),
  {
    source: 'learn/webhooks.md:636',
    name: "the PHP example's payload",
    body: '{"ticker":"AMD","action":"buy","price":85.50}',
    ticker: 'AMD',
    expect: ok(1, [filled('buy', 1, 143.13)]),
  },

  // assets/stock-trading.md
  {
    source: 'assets/stock-trading.md:32',
    name: 'enter bullish',
    body: j({ ticker: 'SQ', action: 'buy' }),
    ticker: 'SQ',
    expect: ok(1, [filled('buy', 1, 60.31)]),
  },
  {
    source: 'assets/stock-trading.md:65',
    name: 'exit bearish',
    body: j({ ticker: 'SQ', action: 'exit' }),
    ticker: 'SQ',
    before: -3,
    expect: ok(0, [filled('buy', 3, 60.31)]),
  },
  {
    source: 'assets/stock-trading.md:76',
    name: 'the full signal example',
    body: j({ ticker: 'SQ', action: 'buy', price: 108.88, quantity: 100 }),
    ticker: 'SQ',
    expect: ok(100, [filled('buy', 100, 60.31)]),
  },
  {
    source: 'assets/stock-trading.md:126',
    name: 'sell 50 from long 50 (side swapping off: flat)',
    body: j({ ticker: 'SPY', action: 'sell', quantity: '50', price: '660', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'SPY',
    before: 50,
    expect: ok(0, [filled('sell', 50, 660)]),
  },
  {
    source: 'assets/stock-trading.md:161',
    name: 'sell 100 from long 50 (subtract exit quantity: short 50)',
    body: j({ ticker: 'SPY', action: 'sell', quantity: '100', price: '660', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'SPY',
    before: 50,
    expect: ok(-50, [filled('sell', 100, 660)]),
  },
  {
    source: 'assets/stock-trading.md:196',
    name: 'buy 50 from short 50 (closes, as a TradingView strategy means it)',
    body: j({ ticker: 'SPY', action: 'buy', quantity: '50', price: '660', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'SPY',
    before: -50,
    expect: ok(0, [filled('buy', 50, 660.01)]),
  },
  {
    source: 'assets/stock-trading.md:361',
    name: 'buy 50 on a long 50 (add to position: 100)',
    body: j({ ticker: 'SPY', action: 'buy', quantity: '50', price: '660', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'SPY',
    before: 50,
    expect: ok(100, [filled('buy', 50, 660.01)]),
  },
  {
    source: 'assets/stock-trading.md:239',
    name: 'an exit after the trading window (exits always pass)',
    body: j({ ticker: 'SPY', action: 'sell', quantity: '50', price: '660', time: '2025-09-09T16:01:08Z', interval: '5' }),
    ticker: 'SPY',
    before: 50,
    expect: ok(0, [filled('sell', 50, 660)]),
  },
  {
    source: 'assets/stock-trading.md:304',
    name: 'the risk example as printed (a comma missing)',
    body: '{\n    "ticker": "AAPL",\n    "action": "buy",\n    "price": "660",\n    "stopLoss": {\n        "stopPrice": 90\n    }\n    "time": "2025-09-09T14:07:08Z",\n    "interval": "5"\n}',
    ticker: 'AAPL',
    expect: refused(/^the alert message must be JSON, and this is not valid JSON/),
  },
  {
    source: 'assets/stock-trading.md:449',
    name: 'sell flat 50 from long 50',
    body: j({
      ticker: 'SPY',
      action: 'sell',
      sentiment: 'flat',
      quantity: '50',
      price: '660',
      time: '2025-09-09T14:07:08Z',
      interval: '5',
    }),
    ticker: 'SPY',
    before: 50,
    expect: ok(0, [filled('sell', 50, 660)]),
  },
  {
    source: 'assets/stock-trading.md:449',
    name: 'sell flat 50 from long 80 still ends flat',
    body: j({
      ticker: 'SPY',
      action: 'sell',
      sentiment: 'flat',
      quantity: '50',
      price: '660',
      time: '2025-09-09T14:07:08Z',
      interval: '5',
    }),
    ticker: 'SPY',
    before: 80,
    expect: ok(0, [filled('sell', 80, 660)]),
  },
  {
    source: 'assets/stock-trading.md:538',
    name: 'a limit entry below the market',
    body: j({ ticker: 'AAPL', action: 'buy', orderType: 'limit', limitPrice: 100 }),
    ticker: 'AAPL',
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 100 }]),
  },
  {
    source: 'assets/stock-trading.md:609',
    name: 'a limit sell below the market fills at the bid',
    body: j({ ticker: 'AAPL', action: 'sell', orderType: 'limit', limitPrice: 100 }),
    ticker: 'AAPL',
    expect: ok(-1, [{ side: 'sell', quantity: 1, type: 'limit', status: 'filled', limitPrice: 100, avgFillPrice: 191.25 }]),
  },
  {
    source: 'assets/stock-trading.md:635',
    name: 'buy 10 with its price',
    body: j({ ticker: 'SPY', action: 'buy', quantity: '10', price: '660', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'SPY',
    expect: ok(10, [filled('buy', 10, 660.01)]),
  },

  // assets/options-trading.md
  {
    source: 'assets/options-trading.md:107',
    name: "an option scan (with the page's misspelled instrinsicValue)",
    body: j({ ticker: 'AAPL', action: 'buy', expiration: '+6 months', instrinsicValue: 'itm', optionType: 'both', strikesAway: 3 }),
    ticker: 'AAPL',
    expect: refused(/options are not supported/),
  },
  {
    source: 'assets/options-trading.md:120',
    name: 'an option by its fields',
    body: j({ ticker: 'AAPL', action: 'buy', expiration: '2023-01-20', optionType: 'call', strikePrice: 325 }),
    ticker: 'AAPL',
    expect: refused(/options are not supported/),
  },
  {
    source: 'assets/options-trading.md:132',
    name: 'an option contract in the ticker',
    body: j({ ticker: 'AAPL 230120C325', action: 'buy' }),
    ticker: 'AAPL',
    expect: refused(/^ticker "AAPL 230120C325" is an option \(AAPL call 325 expiring 2023-01-20\)/),
  },
  {
    source: 'assets/options-trading.md:149',
    name: 'enter bullish on the underlying',
    body: j({ ticker: 'SQ', action: 'buy' }),
    ticker: 'SQ',
    expect: ok(1, [filled('buy', 1, 60.31)]),
  },

  // assets/futures-trading.md
  {
    source: 'assets/futures-trading.md:29',
    name: 'an expired contract month: traded as the front month, and said so',
    body: j({ ticker: 'MNQU2025', action: 'buy' }),
    ticker: 'MNQ1!',
    expect: ok(1, [filled('buy', 1, 23810.5)], {
      notes: /MNQU2025 is the September 2025 contract, which has expired: traded as MNQ1!, the front month/,
    }),
  },
  {
    source: 'assets/futures-trading.md:131',
    name: 'enter bullish on NQH2022',
    body: j({ ticker: 'NQH2022', action: 'buy' }),
    ticker: 'NQ1!',
    expect: ok(1, [filled('buy', 1, 25000.25)], { notes: /NQH2022 is the March 2022 contract, which has expired: traded as NQ1!/ }),
  },
  {
    source: 'assets/futures-trading.md:142',
    name: 'exit bullish on NQH2022',
    body: j({ ticker: 'NQH2022', action: 'exit' }),
    ticker: 'NQ1!',
    before: 1,
    expect: ok(0, [filled('sell', 1, 25000)]),
  },
  {
    source: 'assets/futures-trading.md:153',
    name: 'enter bearish on NQH2022',
    body: j({ ticker: 'NQH2022', action: 'sell' }),
    ticker: 'NQ1!',
    expect: ok(-1, [filled('sell', 1, 25000)]),
  },
  {
    source: 'assets/futures-trading.md:164',
    name: 'exit bearish on NQH2022',
    body: j({ ticker: 'NQH2022', action: 'exit' }),
    ticker: 'NQ1!',
    before: -1,
    expect: ok(0, [filled('buy', 1, 25000.25)]),
  },
  {
    source: 'assets/futures-trading.md:175',
    name: 'the full signal example',
    body: j({ ticker: 'NQH2022', action: 'buy', price: 1420.5, quantity: 2 }),
    ticker: 'NQ1!',
    expect: ok(2, [filled('buy', 2, 25000.25)]),
  },
  {
    source: 'assets/futures-trading.md:216',
    name: 'the rolled contract, as the snippet prints it (not an alert)',
    body: '"ticker": "MNQM2025"',
    ticker: 'MNQ1!',
    expect: refused(/^the alert message must be JSON, and this is not valid JSON/),
  },
  {
    source: 'assets/futures-trading.md:228',
    name: 'the continuous symbol, as printed with its comment',
    body: '{\n  "ticker": "GC1!", //NOT RECOMMENDED\n  "action": "buy"\n}',
    ticker: 'GC1!',
    expect: refused(/JSON has no comments/),
  },
  {
    source: 'assets/futures-trading.md:228',
    name: 'the continuous symbol without the comment',
    body: j({ ticker: 'GC1!', action: 'buy' }),
    ticker: 'GC1!',
    expect: ok(1, [filled('buy', 1, 4100.1)]),
  },
  {
    source: 'assets/futures-trading.md:237',
    name: 'the explicit contract, as printed with its comment',
    body: '{\n  "ticker": "GCJ2025", // RECOMMENDED\n  "action": "buy"\n}',
    ticker: 'GC1!',
    expect: refused(/JSON has no comments/),
  },
  {
    source: 'assets/futures-trading.md:237',
    name: 'the explicit contract without the comment',
    body: j({ ticker: 'GCJ2025', action: 'buy' }),
    ticker: 'GC1!',
    expect: ok(1, [filled('buy', 1, 4100.1)], { notes: /GCJ2025 is the April 2025 contract, which has expired/ }),
  },
  {
    source: 'assets/futures-trading.md:309',
    name: 'sell 2 from long 2 (side swapping off: flat)',
    body: j({ ticker: 'MNQU2025', action: 'sell', quantity: '2', price: '23810.25', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'MNQ1!',
    before: 2,
    expect: ok(0, [filled('sell', 2, 23810.25)]),
  },
  {
    source: 'assets/futures-trading.md:344',
    name: 'sell 4 from long 2 (subtract exit quantity: short 2)',
    body: j({ ticker: 'MNQU2025', action: 'sell', quantity: '4', price: '23810.25', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'MNQ1!',
    before: 2,
    expect: ok(-2, [filled('sell', 4, 23810.25)]),
  },
  {
    source: 'assets/futures-trading.md:379',
    name: 'buy 2 from flat',
    body: j({ ticker: 'MNQU2025', action: 'buy', quantity: '2', price: '23810.25', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'MNQ1!',
    expect: ok(2, [filled('buy', 2, 23810.5)]),
  },
  {
    source: 'assets/futures-trading.md:379',
    name: 'buy 2 from short 2 (closes)',
    body: j({ ticker: 'MNQU2025', action: 'buy', quantity: '2', price: '23810.25', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'MNQ1!',
    before: -2,
    expect: ok(0, [filled('buy', 2, 23810.5)]),
  },
  {
    source: 'assets/futures-trading.md:517',
    name: 'buy 2 on a long 2 (add to position: 4)',
    body: j({ ticker: 'MNQU2025', action: 'buy', quantity: '2', price: '23810.25', time: '2025-09-09T14:07:08Z', interval: '5' }),
    ticker: 'MNQ1!',
    before: 2,
    expect: ok(4, [filled('buy', 2, 23810.5)]),
  },
  {
    source: 'assets/futures-trading.md:422',
    name: 'an exit after the trading window',
    body: j({ ticker: 'MNQU2025', action: 'sell', quantity: '2', price: '23810.25', time: '2025-09-09T16:01:08Z', interval: '5' }),
    ticker: 'MNQ1!',
    before: 2,
    expect: ok(0, [filled('sell', 2, 23810.25)]),
  },
  {
    source: 'assets/futures-trading.md:604',
    name: 'sell flat 2 from long 2, cancelling the working orders',
    body: j({
      ticker: 'MNQU2025',
      action: 'sell',
      sentiment: 'flat',
      quantity: '2',
      price: '23810.25',
      time: '2025-09-09T14:07:08Z',
      interval: '5',
    }),
    ticker: 'MNQ1!',
    before: 2,
    working: ['{"ticker":"MNQ1!","action":"buy","orderType":"limit","limitPrice":20000}'],
    expect: ok(0, [filled('sell', 2, 23810.25)], { cancelled: 1 }),
  },
  {
    source: 'assets/futures-trading.md:604',
    name: 'sell flat 1 from long 3 ends flat (a missed alert healed)',
    body: j({ ticker: 'MNQU2025', action: 'sell', sentiment: 'flat', quantity: '1', price: '23810.25' }),
    ticker: 'MNQ1!',
    before: 3,
    expect: ok(0, [filled('sell', 3, 23810.25)]),
  },

  // learn/signal-sources: TradingView and TrendSpider.
  {
    source: 'learn/signal-sources/tradingview.md:16',
    name: 'a price as text',
    body: j({ ticker: 'TSLA', action: 'buy', price: '420.69' }),
    ticker: 'TSLA',
    expect: ok(1, [filled('buy', 1, 420.7)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:82',
    name: 'buy at {{close}}, rendered',
    body: rendered({ ticker: '{{ticker}}', action: 'buy', price: '{{close}}' }, { ticker: 'TSLA', close: '420.69' }),
    ticker: 'TSLA',
    expect: ok(1, [filled('buy', 1, 420.7)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:92',
    name: 'exit at {{close}}, rendered',
    body: rendered({ ticker: '{{ticker}}', action: 'exit', price: '{{close}}' }, { ticker: 'TSLA', close: '420.69' }),
    ticker: 'TSLA',
    before: 1,
    expect: ok(0, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:102',
    name: 'sell flat at {{close}}, rendered',
    body: rendered({ ticker: '{{ticker}}', action: 'sell', sentiment: 'flat', price: '{{close}}' }, { ticker: 'TSLA', close: '420.69' }),
    ticker: 'TSLA',
    before: 1,
    expect: ok(0, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:113',
    name: 'sell at {{close}}, rendered',
    body: rendered({ ticker: '{{ticker}}', action: 'sell', price: '{{close}}' }, { ticker: 'TSLA', close: '420.69' }),
    ticker: 'TSLA',
    expect: ok(-1, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:135',
    name: 'buy flat at {{close}}, rendered',
    body: rendered({ ticker: '{{ticker}}', action: 'buy', sentiment: 'flat', price: '{{close}}' }, { ticker: 'TSLA', close: '420.69' }),
    ticker: 'TSLA',
    before: -1,
    expect: ok(0, [filled('buy', 1, 420.7)]),
  },
  // The Pine Script strings build the JSON with str.tostring(close): a number, not text.
  {
    source: 'learn/signal-sources/tradingview.md:205',
    name: 'Pine buyAlertMessage, rendered',
    body: '{"ticker": "TSLA", "action": "buy", "price": 420.69}',
    ticker: 'TSLA',
    expect: ok(1, [filled('buy', 1, 420.7)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:206',
    name: 'Pine sellAlertMessage, rendered (closing the long)',
    body: '{"ticker": "TSLA", "action": "sell", "price": 420.69}',
    ticker: 'TSLA',
    before: 1,
    expect: ok(0, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:218',
    name: '{{strategy.order.alert_message}} left unfilled',
    body: '{{strategy.order.alert_message}}',
    ticker: 'TSLA',
    expect: refused(/^the alert message must be JSON/),
  },
  {
    source: 'learn/signal-sources/tradingview.md:301',
    name: 'Pine exitLongAlertMessage, rendered',
    body: '{"ticker": "TSLA", "action": "exit", "price": 420.69}',
    ticker: 'TSLA',
    before: 1,
    expect: ok(0, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:302',
    name: 'Pine exitShortAlertMessage, rendered',
    body: '{"ticker": "TSLA", "action": "exit", "price": 420.69}',
    ticker: 'TSLA',
    before: -1,
    expect: ok(0, [filled('buy', 1, 420.7)]),
  },
  {
    source: 'learn/signal-sources/tradingview.md:313',
    name: 'Pine exitAlertMessage (no price), rendered',
    body: '{"ticker": "TSLA", "action": "exit"}',
    ticker: 'TSLA',
    before: 2,
    expect: ok(0, [filled('sell', 2, 420.69)]),
  },
  {
    source: 'learn/signal-sources/trend-spider.md:58',
    name: 'the TrendSpider template with its extra fields, rendered',
    body: rendered(
      {
        ticker: '%alert_symbol%',
        action: 'buy',
        price: '%last_price%',
        alertName: '%alert_name%',
        alertNote: '%alert_note%',
        priceActionEvent: '%price_action_event%',
      },
      { alert_symbol: 'SPY', last_price: '660.00', alert_name: 'SPY breakout', alert_note: '', price_action_event: 'crossed above' },
    ),
    ticker: 'SPY',
    expect: ok(1, [filled('buy', 1, 660.01)]),
  },

  // learn/platform-concepts: order behaviour and position sizing.
  {
    source: 'learn/platform-concepts/order-behavior.md:11',
    name: 'buy',
    body: j({ ticker: 'TSLA', action: 'buy' }),
    ticker: 'TSLA',
    expect: ok(1, [filled('buy', 1, 420.7)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:25',
    name: 'sell closes a long',
    body: j({ ticker: 'TSLA', action: 'sell' }),
    ticker: 'TSLA',
    before: 1,
    expect: ok(0, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:41',
    name: 'a limit order below the market',
    body: j({ ticker: 'TSLA', action: 'buy', orderType: 'limit', limitPrice: 120.12 }),
    ticker: 'TSLA',
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 120.12 }]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:41',
    name: 'a limit order without a limitPrice: at the market price (the ask for a buy)',
    body: j({ ticker: 'TSLA', action: 'buy', orderType: 'limit' }),
    ticker: 'TSLA',
    expect: ok(1, [{ side: 'buy', quantity: 1, type: 'limit', status: 'filled', limitPrice: 420.7, avgFillPrice: 420.7 }]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:60',
    name: 'an entry of 5',
    body: j({ ticker: 'TSLA', action: 'buy', quantity: 5 }),
    ticker: 'TSLA',
    expect: ok(5, [filled('buy', 5, 420.7)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:77',
    name: 'sell 5 with a price closes a long 5',
    body: j({ ticker: 'TSLA', action: 'sell', price: 700, quantity: 5 }),
    ticker: 'TSLA',
    before: 5,
    expect: ok(0, [filled('sell', 5, 420.69)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:102',
    name: 'exit 3 of 5',
    body: j({ ticker: 'TSLA', action: 'exit', quantity: 3 }),
    ticker: 'TSLA',
    before: 5,
    expect: ok(2, [filled('sell', 3, 420.69)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:112',
    name: 'exit 20 % of 5',
    body: '{\n  "ticker": "TSLA",\n  "action": "exit",\n  "quantityType": "percent_of_position",  \n  "quantity": 20\n}',
    ticker: 'TSLA',
    before: 5,
    expect: ok(4, [filled('sell', 1, 420.69)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:141',
    name: 'add 5 to a long 5',
    body: j({ ticker: 'TSLA', action: 'add', price: 700, quantity: 5 }),
    ticker: 'TSLA',
    before: 5,
    expect: ok(10, [filled('buy', 5, 420.7)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:170',
    name: 'exit without swapping sides',
    body: j({ ticker: 'TSLA', action: 'exit', price: 700 }),
    ticker: 'TSLA',
    before: -3,
    expect: ok(0, [filled('buy', 3, 420.7)]),
  },
  {
    source: 'learn/platform-concepts/order-behavior.md:252',
    name: 'a limit entry at 100 with a $10 stop: the stop at 90',
    body: j({ ticker: 'TSLA', action: 'buy', orderType: 'limit', limitPrice: 100, stopLoss: { type: 'stop', amount: 10 } }),
    ticker: 'TSLA',
    expect: ok(0, [{ side: 'buy', quantity: 1, type: 'limit', status: 'working', limitPrice: 100 }]),
    after: [{ market: { TSLA: [99.99, 100] }, expect: { status: 202, position: 1, stopLoss: 90 } }],
  },
  {
    source: 'learn/platform-concepts/position-sizing.md:27',
    name: 'amount_per_position $1000 at a $100 limit: 10',
    body: j({ ticker: 'TSLA', action: 'buy', orderType: 'limit', limitPrice: 100, quantityType: 'amount_per_position', quantity: 1000 }),
    ticker: 'TSLA',
    expect: ok(0, [{ side: 'buy', quantity: 10, type: 'limit', status: 'working', limitPrice: 100 }]),
  },
  {
    source: 'learn/platform-concepts/position-sizing.md:50',
    name: 'risk_per_position $100 from a $100 limit to a stop at 90: 10',
    body: j({
      ticker: 'TSLA',
      action: 'buy',
      orderType: 'limit',
      limitPrice: 100,
      stopLoss: { type: 'stop', stopPrice: 90 },
      quantityType: 'risk_per_position',
      quantity: 100,
    }),
    ticker: 'TSLA',
    expect: ok(0, [{ side: 'buy', quantity: 10, type: 'limit', status: 'working', limitPrice: 100 }]),
  },
  {
    source: 'learn/platform-concepts/position-sizing.md:81',
    name: 'percent_of_equity 1 % of $100,000 at a $100 limit: 10',
    body: j({ ticker: 'TSLA', action: 'buy', orderType: 'limit', limitPrice: 100, quantityType: 'percent_of_equity', quantity: 1 }),
    ticker: 'TSLA',
    account: 100_000,
    expect: ok(0, [{ side: 'buy', quantity: 10, type: 'limit', status: 'working', limitPrice: 100 }]),
  },
  {
    source: 'learn/platform-concepts/position-sizing.md:102',
    name: 'a market order of 5',
    body: j({ ticker: 'TSLA', action: 'buy', orderType: 'market', quantity: 5 }),
    ticker: 'TSLA',
    expect: ok(5, [filled('buy', 5, 420.7)]),
  },
  {
    source: 'learn/platform-concepts/position-sizing.md:123',
    name: 'sell 8 bearish from long 5: exit 5, short 3',
    body: j({ ticker: 'TSLA', action: 'sell', sentiment: 'bearish', quantity: 8 }),
    ticker: 'TSLA',
    before: 5,
    expect: ok(-3, [filled('sell', 8, 420.69)]),
  },
  {
    source: 'developer-resources/custom-code-examples.md:62',
    name: "the curl example's payload",
    body: '{"ticker": "AMD", "action": "buy", "price": 85.50}',
    ticker: 'AMD',
    expect: ok(1, [filled('buy', 1, 143.13)]),
  },
  {
    source: 'additional-information/top-10-things-to-know-on-traderspost.md:105',
    name: 'a continuous gold contract',
    body: j({ ticker: 'GC1!', action: 'sell' }),
    ticker: 'GC1!',
    expect: ok(-1, [filled('sell', 1, 4100)]),
  },
];
