import type { BrokerAccount } from '@tradeloop/contracts';

/** Tradovate's public endpoints per environment. */
export const ENDPOINTS = {
  demo: { restUrl: 'https://demo.tradovateapi.com/v1', wsUrl: 'wss://demo.tradovateapi.com/v1/websocket' },
  live: { restUrl: 'https://live.tradovateapi.com/v1', wsUrl: 'wss://live.tradovateapi.com/v1/websocket' },
  /** One market-data host serves both environments. */
  mdUrl: 'wss://md.tradovateapi.com/v1/websocket',
} as const;

export type Environment = 'demo' | 'live';

/** Plugin-wide settings: `plugins.settings.tradovate` over the manifest defaults. */
export interface TradovateSettings {
  /** Overrides of the base URLs for every account (a proxy, or a test server); empty: by environment. */
  restUrl: string;
  wsUrl: string;
  mdUrl: string;
  /** `brokerAccountId` of the account whose login the data feed uses; empty: the oldest Tradovate account. */
  marketDataAccount: string;
  /** Calendar days before the last trading day (first notice day for gold) to move to the next contract. */
  rollDaysBeforeExpiry: number;
  /** `Day` or `GTC` for orders. */
  timeInForce: 'Day' | 'GTC';
  /** Dollars per contract per side booked with each fill (Tradovate reports its fees separately, later). */
  commissionPerContract: number;
  /** Renew the access token this long before it expires. */
  renewMinutesBeforeExpiry: number;
  requestTimeoutMs: number;
  /** How long placeOrder waits for Tradovate to say working, filled or rejected before it answers "working". */
  ackTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** The client heartbeat (`[]`) Tradovate expects about every 2.5 s. */
  heartbeatMs: number;
  /** A login answered with a captcha cannot be solved by a server: wait this long before trying again. */
  captchaWaitMinutes: number;
  /** After HTTP 429, send nothing for this long unless the answer says how long (Retry-After). */
  rateLimitWaitMinutes: number;
}

const DEFAULTS: TradovateSettings = {
  restUrl: '',
  wsUrl: '',
  mdUrl: '',
  marketDataAccount: '',
  rollDaysBeforeExpiry: 8,
  timeInForce: 'Day',
  commissionPerContract: 0,
  renewMinutesBeforeExpiry: 15,
  requestTimeoutMs: 10_000,
  ackTimeoutMs: 1500,
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
  heartbeatMs: 2500,
  captchaWaitMinutes: 60,
  rateLimitWaitMinutes: 60,
};

/** Reads the plugin settings; a wrong value falls back to its default with a warning naming it. */
export function readSettings(config: Record<string, unknown>, warn: (message: string) => void = () => undefined): TradovateSettings {
  const settings: TradovateSettings = { ...DEFAULTS };
  for (const key of ['restUrl', 'wsUrl', 'mdUrl', 'marketDataAccount'] as const) {
    const value = config[key];
    if (value == null || value === '') continue;
    if (typeof value === 'string') settings[key] = value.trim().replace(/\/+$/, '');
    else warn(`${key} must be text, got ${JSON.stringify(value)}: using the default`);
  }
  for (const key of [
    'rollDaysBeforeExpiry',
    'commissionPerContract',
    'renewMinutesBeforeExpiry',
    'requestTimeoutMs',
    'ackTimeoutMs',
    'reconnectMinMs',
    'reconnectMaxMs',
    'heartbeatMs',
    'captchaWaitMinutes',
    'rateLimitWaitMinutes',
  ] as const) {
    const value = config[key];
    if (value == null) continue;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) settings[key] = value;
    else warn(`${key} must be a number ≥ 0, got ${JSON.stringify(value)}: using ${DEFAULTS[key]}`);
  }
  if (config.timeInForce != null) {
    if (config.timeInForce === 'Day' || config.timeInForce === 'GTC') settings.timeInForce = config.timeInForce;
    else warn(`timeInForce must be "Day" or "GTC", got ${JSON.stringify(config.timeInForce)}: using Day`);
  }
  return settings;
}

/** What one Tradovate login needs; built from an account's settings and secrets. */
export interface Login {
  environment: Environment;
  username: string;
  password: string;
  appId: string;
  appVersion: string;
  cid: number;
  sec: string;
  deviceId?: string;
  restUrl: string;
  wsUrl: string;
  mdUrl: string;
}

export type LoginResult = { ok: true; login: Login } | { ok: false; problem: string };

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');

/**
 * The login of one Tradovate account: settings `environment` (demo | live), `username`, `appId`,
 * `appVersion`, `cid`, optional `deviceId`; secrets `password` and `sec`. The problem, when there
 * is one, names what is missing and never shows a secret.
 */
export function loginOf(account: BrokerAccount, settings: TradovateSettings): LoginResult {
  const s = account.settings;
  const environment = text(s.environment) || 'demo';
  const missing: string[] = [];
  if (environment !== 'demo' && environment !== 'live') {
    return { ok: false, problem: `settings.environment must be "demo" or "live", got ${JSON.stringify(s.environment)}` };
  }
  const username = text(s.username);
  const appId = text(s.appId);
  const cid = Number(text(s.cid));
  if (!username) missing.push('settings.username');
  if (!appId) missing.push('settings.appId');
  if (!text(s.cid) || !Number.isInteger(cid)) missing.push('settings.cid (a number)');
  if (!account.secrets.password) missing.push('secrets.password');
  if (!account.secrets.sec) missing.push('secrets.sec');
  if (missing.length) return { ok: false, problem: `account "${account.name}" is missing ${missing.join(', ')}` };
  const endpoints = ENDPOINTS[environment];
  return {
    ok: true,
    login: {
      environment,
      username,
      password: account.secrets.password!,
      appId,
      appVersion: text(s.appVersion) || '1.0',
      cid,
      sec: account.secrets.sec!,
      deviceId: text(s.deviceId) || undefined,
      restUrl: settings.restUrl || endpoints.restUrl,
      wsUrl: settings.wsUrl || endpoints.wsUrl,
      mdUrl: settings.mdUrl || ENDPOINTS.mdUrl,
    },
  };
}

/** One session per Tradovate user and server: accounts sharing a login share it. */
export const loginKey = (login: Login): string => `${login.restUrl}|${login.username.toLowerCase()}|${login.appId}|${login.cid}`;
