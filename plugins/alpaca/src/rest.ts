import type { AlpacaLogin } from './settings.js';

/** An answer of Alpaca's REST API that was not a success: HTTP status, Alpaca's error code and its message. */
export class AlpacaError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
  }
}

const truncate = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Alpaca's order as the REST API and the trade-updates stream show it (numbers are decimal strings). */
export interface AlpacaOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type?: string;
  order_type?: string;
  qty: string | null;
  notional?: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  limit_price?: string | null;
  stop_price?: string | null;
  time_in_force: string;
  status: string;
  extended_hours?: boolean;
  created_at?: string;
  filled_at?: string | null;
}

export interface AlpacaAccount {
  id: string;
  account_number: string;
  status: string;
  currency?: string;
  cash: string;
  equity: string;
  buying_power: string;
  last_equity?: string;
}

export interface AlpacaPosition {
  symbol: string;
  qty: string;
  side: 'long' | 'short';
  avg_entry_price: string;
  unrealized_pl?: string;
}

export interface AlpacaAsset {
  symbol: string;
  tradable: boolean;
  fractionable: boolean;
  status?: string;
  min_order_size?: string;
  min_trade_increment?: string;
  price_increment?: string;
}

/** One FILL account activity (`GET /v2/account/activities/FILL`). */
export interface AlpacaFillActivity {
  id: string;
  activity_type: 'FILL';
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: 'buy' | 'sell' | 'sell_short';
  symbol: string;
  order_id: string;
  cum_qty: string;
  leaves_qty: string;
}

/** A thin typed client of Alpaca's trading REST API for one account's keys. */
export class AlpacaRest {
  constructor(
    private readonly login: AlpacaLogin,
    private readonly timeoutMs: number,
  ) {}

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.login.restUrl}${path}`, {
        method,
        headers: {
          'APCA-API-KEY-ID': this.login.keyId,
          'APCA-API-SECRET-KEY': this.login.secretKey,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer in ${this.timeoutMs} ms` : String(error);
      throw new AlpacaError(0, null, `Alpaca could not be reached (${truncate(reason, 200)})`);
    }
    const text = await response.text();
    if (!response.ok) {
      let code: number | null = null;
      let message = text;
      try {
        const parsed = JSON.parse(text) as { code?: unknown; message?: unknown };
        if (typeof parsed.code === 'number') code = parsed.code;
        if (typeof parsed.message === 'string') message = parsed.message;
      } catch {
        // not JSON: keep the text
      }
      throw new AlpacaError(response.status, code, truncate(message || `HTTP ${response.status}`));
    }
    if (!text) return undefined as T;
    return JSON.parse(text) as T;
  }

  account = () => this.request<AlpacaAccount>('GET', '/v2/account');
  positions = () => this.request<AlpacaPosition[]>('GET', '/v2/positions');
  openOrders = () => this.request<AlpacaOrder[]>('GET', '/v2/orders?status=open&limit=500');
  asset = (symbol: string) => this.request<AlpacaAsset>('GET', `/v2/assets/${encodeURIComponent(symbol)}`);
  placeOrder = (body: Record<string, unknown>) => this.request<AlpacaOrder>('POST', '/v2/orders', body);
  cancelOrder = (id: string) => this.request<void>('DELETE', `/v2/orders/${encodeURIComponent(id)}`);
  replaceOrder = (id: string, body: Record<string, unknown>) =>
    this.request<AlpacaOrder>('PATCH', `/v2/orders/${encodeURIComponent(id)}`, body);
  orderByClientId = (clientOrderId: string) =>
    this.request<AlpacaOrder>('GET', `/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`);
  fillsSince = (after: Date) =>
    this.request<AlpacaFillActivity[]>(
      'GET',
      `/v2/account/activities/FILL?after=${encodeURIComponent(after.toISOString())}&direction=asc&page_size=100`,
    );
}
