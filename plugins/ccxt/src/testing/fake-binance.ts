import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A spot symbol the fake lists, with Binance's filters. */
export interface FakeSymbol {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minQty: string;
  minNotional: string;
}

export const spotSymbol = (symbol: string, baseAsset: string, quoteAsset: string, fields: Partial<FakeSymbol> = {}): FakeSymbol => ({
  symbol,
  baseAsset,
  quoteAsset,
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  minNotional: '5',
  ...fields,
});

export interface FakeBinanceOrder {
  symbol: string;
  orderId: number;
  orderListId: -1;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
  timeInForce: string;
  type: string;
  side: 'BUY' | 'SELL';
  stopPrice: string;
  icebergQty: '0.00000000';
  time: number;
  updateTime: number;
  isWorking: boolean;
  workingTime: number;
  origQuoteOrderQty: '0.00000000';
  selfTradePreventionMode: 'EXPIRE_MAKER';
}

export interface FakeTrade {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: -1;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  apiKey: string | undefined;
}

const str = (n: number) => String(Number(n.toFixed(8)));
const decimals = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').length - text.indexOf('.') - 1 : 0);
const onGrid = (value: string, step: string) => {
  const scale = 10 ** Math.max(decimals(value), decimals(step), 0);
  return Math.round(Number(value) * scale) % Math.round(Number(step) * scale) === 0;
};

/**
 * A fake of Binance's spot REST API (`/api/v3/...`) as its docs describe it: `exchangeInfo` with
 * PRICE_FILTER, LOT_SIZE and NOTIONAL filters, signed endpoints behind `X-MBX-APIKEY` (the
 * signature is required but not checked), orders with `newClientOrderId` answered FULL, `myTrades`,
 * `account`, errors as HTTP 400 `{code, msg}`. It matches orders against the quotes it is given.
 */
export class FakeBinance {
  readonly requests: FakeRequest[] = [];
  readonly orders: FakeBinanceOrder[] = [];
  readonly trades: FakeTrade[] = [];
  readonly quotes = new Map<string, { bid: number; ask: number }>();
  readonly balances = new Map<string, number>([
    ['USDT', 1_000_000],
    ['USD', 100_000_000],
  ]);
  /** Commission per fill as a fraction of its quote amount, charged in the quote asset. */
  commissionRate = 0;
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private refusals: { code: number; msg: string }[] = [];

  private constructor(
    private readonly server: Server,
    readonly symbols: Map<string, FakeSymbol>,
    readonly apiKey: string,
  ) {}

  static async start(options: { symbols?: FakeSymbol[]; apiKey?: string } = {}): Promise<FakeBinance> {
    const server = createServer();
    const symbols = new Map((options.symbols ?? [spotSymbol('BTCUSDT', 'BTC', 'USDT')]).map((s) => [s.symbol, s]));
    const fake = new FakeBinance(server, symbols, options.apiKey ?? 'fake-binance-key');
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  calls(method: string, path: string): FakeRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  refuseNext(code: number, msg: string): void {
    this.refusals.push({ code, msg });
  }

  quote(symbol: string, bid: number, ask: number): void {
    this.quotes.set(symbol, { bid, ask });
    for (const order of this.orders) if (order.symbol === symbol && order.isWorking) this.match(order);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private match(order: FakeBinanceOrder): void {
    const quote = this.quotes.get(order.symbol);
    if (!quote || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED')) return;
    const buy = order.side === 'BUY';
    const touch = buy ? quote.ask : quote.bid;
    const go =
      order.type === 'MARKET' ||
      (order.type === 'LIMIT' && (buy ? touch <= Number(order.price) : touch >= Number(order.price))) ||
      (order.type === 'STOP_LOSS' && (buy ? touch >= Number(order.stopPrice) : touch <= Number(order.stopPrice)));
    if (!go) return;
    const qty = Number(order.origQty) - Number(order.executedQty);
    const spec = this.symbols.get(order.symbol)!;
    const quoteQty = qty * touch;
    const commission = quoteQty * this.commissionRate;
    const now = Date.now();
    this.trades.push({
      symbol: order.symbol,
      id: this.nextTradeId++,
      orderId: order.orderId,
      orderListId: -1,
      price: str(touch),
      qty: str(qty),
      quoteQty: str(quoteQty),
      commission: str(commission),
      commissionAsset: spec.quoteAsset,
      time: now,
      isBuyer: buy,
      isMaker: order.type === 'LIMIT',
      isBestMatch: true,
    });
    order.executedQty = order.origQty;
    order.cummulativeQuoteQty = str(Number(order.cummulativeQuoteQty) + quoteQty);
    order.status = 'FILLED';
    order.isWorking = false;
    order.updateTime = now;
    const sign = buy ? 1 : -1;
    this.balances.set(spec.quoteAsset, (this.balances.get(spec.quoteAsset) ?? 0) - sign * quoteQty - commission);
    this.balances.set(spec.baseAsset, (this.balances.get(spec.baseAsset) ?? 0) + sign * qty);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const url = new URL(req.url ?? '/', 'http://fake');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (raw) Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
    const apiKey = req.headers['x-mbx-apikey'] as string | undefined;
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, params, apiKey });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (code: number, msg: string, status = 400) => send(status, { code, msg });
    const path = url.pathname;
    if (path === '/api/v3/time') return send(200, { serverTime: Date.now() });
    if (path === '/api/v3/exchangeInfo') return send(200, this.exchangeInfo());
    if (!['/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/account'].includes(path))
      return fail(-1000, `unknown path ${path}`, 404);
    if (apiKey !== this.apiKey) return fail(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    if (!params.signature || !params.timestamp)
      return fail(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    if (path === '/api/v3/account') {
      return send(200, {
        makerCommission: 10,
        takerCommission: 10,
        canTrade: true,
        canWithdraw: true,
        canDeposit: true,
        updateTime: Date.now(),
        accountType: 'SPOT',
        balances: [...this.balances].map(([asset, free]) => ({ asset, free: str(free), locked: '0.00000000' })),
        permissions: ['SPOT'],
      });
    }
    if (path === '/api/v3/openOrders')
      return send(
        200,
        this.orders.filter((o) => o.isWorking && (!params.symbol || o.symbol === params.symbol)),
      );
    if (path === '/api/v3/myTrades') {
      if (!params.symbol) return fail(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      const since = Number(params.startTime ?? 0);
      return send(
        200,
        this.trades.filter(
          (t) => t.symbol === params.symbol && t.time >= since && (!params.orderId || String(t.orderId) === params.orderId),
        ),
      );
    }
    if (method === 'POST') return this.place(params, send, fail);
    const order = this.orders.find(
      (o) =>
        o.symbol === params.symbol &&
        (String(o.orderId) === params.orderId || (params.origClientOrderId && o.clientOrderId === params.origClientOrderId)),
    );
    if (method === 'GET') return order ? send(200, order) : fail(-2013, 'Order does not exist.');
    if (method === 'DELETE') {
      if (!order || !order.isWorking) return fail(-2011, 'Unknown order sent.');
      order.status = 'CANCELED';
      order.isWorking = false;
      order.updateTime = Date.now();
      return send(200, { ...order, origClientOrderId: order.clientOrderId });
    }
    return fail(-1000, `unsupported ${method}`);
  }

  private place(p: Record<string, string>, send: (s: number, b: unknown) => void, fail: (c: number, m: string) => void): void {
    const refusal = this.refusals.shift();
    if (refusal) return fail(refusal.code, refusal.msg);
    const spec = p.symbol ? this.symbols.get(p.symbol) : undefined;
    if (!spec) return fail(-1121, 'Invalid symbol.');
    const type = p.type ?? '';
    if (!['MARKET', 'LIMIT', 'STOP_LOSS'].includes(type)) return fail(-1116, 'Invalid orderType.');
    if (p.side !== 'BUY' && p.side !== 'SELL') return fail(-1117, 'Invalid side.');
    if (!p.quantity) return fail(-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    if (type === 'LIMIT' && (!p.price || !p.timeInForce))
      return fail(-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
    if (type === 'STOP_LOSS' && !p.stopPrice)
      return fail(-1102, "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.");
    if (!onGrid(p.quantity, spec.stepSize) || Number(p.quantity) < Number(spec.minQty)) return fail(-1013, 'Filter failure: LOT_SIZE');
    for (const price of [p.price, p.stopPrice])
      if (price && !onGrid(price, spec.tickSize)) return fail(-1013, 'Filter failure: PRICE_FILTER');
    const quote = this.quotes.get(spec.symbol);
    const price = Number(p.price ?? p.stopPrice ?? (quote ? (p.side === 'BUY' ? quote.ask : quote.bid) : 0));
    if (Number(p.quantity) * price < Number(spec.minNotional)) return fail(-1013, 'Filter failure: NOTIONAL');
    const clientOrderId = p.newClientOrderId ?? `auto${this.nextOrderId}`;
    if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(clientOrderId))
      return fail(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    if (this.orders.some((o) => o.isWorking && o.clientOrderId === clientOrderId)) return fail(-2010, 'Duplicate order sent.');
    if (p.side === 'BUY' && Number(p.quantity) * price > (this.balances.get(spec.quoteAsset) ?? 0)) {
      return fail(-2010, 'Account has insufficient balance for requested action.');
    }
    const now = Date.now();
    const order: FakeBinanceOrder = {
      symbol: spec.symbol,
      orderId: this.nextOrderId++,
      orderListId: -1,
      clientOrderId,
      price: p.price ?? '0.00000000',
      origQty: p.quantity,
      executedQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: p.timeInForce ?? 'GTC',
      type,
      side: p.side,
      stopPrice: p.stopPrice ?? '0.00000000',
      icebergQty: '0.00000000',
      time: now,
      updateTime: now,
      isWorking: true,
      workingTime: now,
      origQuoteOrderQty: '0.00000000',
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
    this.orders.push(order);
    this.match(order);
    if (type === 'MARKET' && order.status === 'NEW') {
      order.status = 'EXPIRED'; // no liquidity: Binance expires an unfilled market order
      order.isWorking = false;
    }
    const { stopPrice: _s, icebergQty: _i, time: _t, updateTime: _u, isWorking: _w, ...answer } = order;
    const fills = this.trades
      .filter((t) => t.orderId === order.orderId)
      .map((t) => ({ price: t.price, qty: t.qty, commission: t.commission, commissionAsset: t.commissionAsset, tradeId: t.id }));
    send(
      200,
      p.newOrderRespType === 'ACK'
        ? { symbol: order.symbol, orderId: order.orderId, orderListId: -1, clientOrderId, transactTime: now }
        : { ...answer, transactTime: now, fills },
    );
  }

  private exchangeInfo() {
    return {
      timezone: 'UTC',
      serverTime: Date.now(),
      rateLimits: [],
      exchangeFilters: [],
      symbols: [...this.symbols.values()].map((s) => ({
        symbol: s.symbol,
        status: 'TRADING',
        baseAsset: s.baseAsset,
        baseAssetPrecision: 8,
        quoteAsset: s.quoteAsset,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true,
        ocoAllowed: true,
        otoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: s.tickSize, maxPrice: '1000000.00000000', tickSize: s.tickSize },
          { filterType: 'LOT_SIZE', minQty: s.minQty, maxQty: '9000.00000000', stepSize: s.stepSize },
          {
            filterType: 'NOTIONAL',
            minNotional: s.minNotional,
            applyMinToMarket: true,
            maxNotional: '9000000.00000000',
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
        ],
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      })),
    };
  }
}
