import { readNumberSettings, type BrokerAccount } from '@tradeloop/contracts';

/** Plugin-wide settings: `plugins.settings.ccxt` over the manifest defaults. */
export interface CcxtSettings {
  /** Sends every request of every exchange to this origin instead (a proxy, or a test server); empty: the exchange's own hosts. */
  apiUrl: string;
  /** How often open orders are checked for fills (fetchOrder, then fetchMyTrades when something filled). */
  pollMs: number;
  requestTimeoutMs: number;
}

const DEFAULTS: CcxtSettings = { apiUrl: '', pollMs: 1000, requestTimeoutMs: 10_000 };

export function readSettings(config: Record<string, unknown>, warn: (message: string) => void): CcxtSettings {
  const out: CcxtSettings = { ...DEFAULTS };
  if (config.apiUrl !== undefined && config.apiUrl !== '') {
    if (typeof config.apiUrl === 'string' && /^https?:\/\/[^\s/]{1,200}\/?$/.test(config.apiUrl))
      out.apiUrl = config.apiUrl.replace(/\/+$/, '');
    else warn('setting apiUrl must be an http(s) origin like http://127.0.0.1:8080; using the exchange hosts');
  }
  readNumberSettings(config, out, { pollMs: [20, 60_000], requestTimeoutMs: [100, 120_000] }, warn);
  return out;
}

/** What one account needs to reach its exchange. */
export interface CcxtLogin {
  exchange: string;
  sandbox: boolean;
  /** Which of ccxt's market types to load: `spot`, and `linear` (USDT-margined perpetuals) where the exchange has them. */
  marketTypes: ('spot' | 'linear')[];
  apiKey: string;
  secret: string;
  password?: string;
}

/** The account's login, or the problem with its settings in words. `exchanges` are ccxt's exchange ids. */
export function loginOf(account: BrokerAccount, exchanges: readonly string[]): CcxtLogin | string {
  const name = `ccxt account "${account.brokerAccountId}"`;
  const exchange = account.settings.exchange;
  if (typeof exchange !== 'string' || !exchanges.includes(exchange)) {
    return `${name}: settings.exchange must be one of ccxt's exchange ids (binance, bybit, okx, kraken, …), got ${JSON.stringify(String(exchange ?? '')).slice(0, 40)}`;
  }
  const sandbox = account.settings.sandbox ?? true;
  if (typeof sandbox !== 'boolean') return `${name}: settings.sandbox must be true (testnet) or false (real money)`;
  const types = String(account.settings.marketTypes ?? 'spot')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (!types.length || types.some((t) => t !== 'spot' && t !== 'linear'))
    return `${name}: settings.marketTypes must be "spot", "linear" or "spot,linear"`;
  const { apiKey, secret, password } = account.secrets;
  if (typeof apiKey !== 'string' || apiKey.length < 4 || apiKey.length > 512) return `${name}: secrets.apiKey must be the exchange API key`;
  if (typeof secret !== 'string' || secret.length < 4 || secret.length > 8192)
    return `${name}: secrets.secret must be the exchange API secret`;
  return { exchange, sandbox, marketTypes: types as ('spot' | 'linear')[], apiKey, secret, ...(password ? { password } : {}) };
}
