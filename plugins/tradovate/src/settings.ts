import { readNumberSettings, type BrokerAccount } from '@tradeloop/contracts';

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
  /** After HTTP 429 (REST or WebSocket), send nothing for this long unless the answer says how long (Retry-After). */
  rateLimitWaitMinutes: number;
  /** After HTTP 423 (the warning before a 429 lockout), send nothing for this long. */
  lockoutWarningWaitMinutes: number;
  /** Never two logins of one user closer than this (Tradovate allows about ten a minute and counts sessions). */
  minSecondsBetweenLogins: number;
  /** After a `shutdown` event: how long to wait before connecting again, per documented reason. */
  maintenanceWaitMinutes: number;
  connectionQuotaWaitMinutes: number;
  ipQuotaWaitMinutes: number;
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
  lockoutWarningWaitMinutes: 5,
  minSecondsBetweenLogins: 10,
  maintenanceWaitMinutes: 5,
  connectionQuotaWaitMinutes: 10,
  ipQuotaWaitMinutes: 30,
};

/** The number settings: any amount ≥ 0. */
const AT_LEAST_ZERO = [0, Infinity] as const;
const NUMBERS = {
  rollDaysBeforeExpiry: AT_LEAST_ZERO,
  commissionPerContract: AT_LEAST_ZERO,
  renewMinutesBeforeExpiry: AT_LEAST_ZERO,
  requestTimeoutMs: AT_LEAST_ZERO,
  ackTimeoutMs: AT_LEAST_ZERO,
  reconnectMinMs: AT_LEAST_ZERO,
  reconnectMaxMs: AT_LEAST_ZERO,
  heartbeatMs: AT_LEAST_ZERO,
  captchaWaitMinutes: AT_LEAST_ZERO,
  rateLimitWaitMinutes: AT_LEAST_ZERO,
  lockoutWarningWaitMinutes: AT_LEAST_ZERO,
  minSecondsBetweenLogins: AT_LEAST_ZERO,
  maintenanceWaitMinutes: AT_LEAST_ZERO,
  connectionQuotaWaitMinutes: AT_LEAST_ZERO,
  ipQuotaWaitMinutes: AT_LEAST_ZERO,
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
  readNumberSettings(config, settings, NUMBERS, warn);
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
  /** Required for live accounts: Tradovate lets only approved devices trade them. */
  deviceId?: string;
  /** A partner (B2B) organization login: its user/syncrequest needs `splitResponses` and `entityTypes`. */
  partner: boolean;
  restUrl: string;
  wsUrl: string;
  mdUrl: string;
}

export type LoginResult = { ok: true; login: Login } | { ok: false; problem: string };

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');

/** Tradovate's limit on `deviceId` (and on user name and app id) in `auth/accesstokenrequest`. */
export const MAX_LOGIN_FIELD = 64;

/** What to tell a trader whose live account has no usable device id. */
export const DEVICE_ID_HELP =
  'Tradovate lets only approved devices trade live accounts: set settings.deviceId to an id of your own that never ' +
  'changes for this machine (up to 64 characters, e.g. "tradeloop-office-pc"), start trading once so Tradovate sees it, ' +
  'then approve the device in the e-mail Tradovate sends (or under Application Settings → My Devices in the Tradovate app)';

/**
 * The login of one Tradovate account: settings `environment` (demo | live), `username`, `appId`,
 * `appVersion`, `cid`, `deviceId` (required for live), `partner`; secrets `password` and `sec`. The
 * problem, when there is one, names what is missing and never shows a secret.
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
  const deviceId = text(s.deviceId);
  if (!username) missing.push('settings.username');
  if (!appId) missing.push('settings.appId');
  if (!text(s.cid) || !Number.isInteger(cid)) missing.push('settings.cid (a number)');
  if (environment === 'live' && !deviceId) missing.push('settings.deviceId (live accounts need one)');
  if (!account.secrets.password) missing.push('secrets.password');
  if (!account.secrets.sec) missing.push('secrets.sec');
  if (missing.length) {
    const help = environment === 'live' && !deviceId ? `. ${DEVICE_ID_HELP}` : '';
    return { ok: false, problem: `account "${account.name}" is missing ${missing.join(', ')}${help}` };
  }
  for (const [name, value] of [
    ['username', username],
    ['appId', appId],
    ['deviceId', deviceId],
  ] as const) {
    if (value.length > MAX_LOGIN_FIELD) {
      return {
        ok: false,
        problem: `account "${account.name}": settings.${name} is ${value.length} characters, Tradovate takes at most ${MAX_LOGIN_FIELD}`,
      };
    }
  }
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
      deviceId: deviceId || undefined,
      partner: s.partner === true || text(s.partner).toLowerCase() === 'true',
      restUrl: settings.restUrl || endpoints.restUrl,
      wsUrl: settings.wsUrl || endpoints.wsUrl,
      mdUrl: settings.mdUrl || ENDPOINTS.mdUrl,
    },
  };
}

/** One session per Tradovate user and server: accounts sharing a login share it. */
export const loginKey = (login: Login): string => `${login.restUrl}|${login.username.toLowerCase()}|${login.appId}|${login.cid}`;
