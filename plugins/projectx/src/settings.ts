import { readNumberSettings, type BrokerAccount } from '@tradeloop/contracts';

/** Plugin-wide settings: `plugins.settings.projectx` over the manifest defaults. */
export interface ProjectXSettings {
  /** REST base (TopstepX: `https://api.topstepx.com`); an account's `apiUrl` setting overrides it (another firm). */
  apiUrl: string;
  /** Real-time base holding `/hubs/user` and `/hubs/market` (TopstepX: `https://rtc.topstepx.com`). */
  rtcUrl: string;
  /** `brokerAccountId` of the account whose login the data feed uses; empty: the oldest ProjectX account. */
  marketDataAccount: string;
  /** Dollars per contract per side booked with each fill when ProjectX reports no fees of its own. */
  commissionPerContract: number;
  /** Renew the session token (`Auth/validate`) this long before it expires. */
  renewHoursBeforeExpiry: number;
  /** How long a token lives when it does not say (ProjectX: 24 h). */
  tokenLifetimeHours: number;
  requestTimeoutMs: number;
  /** The client-side budget: at most this many REST requests in any 60 s (ProjectX allows 200). */
  requestsPerMinute: number;
  /** After HTTP 429 without Retry-After, send nothing for this long. */
  rateLimitWaitSeconds: number;
  /** A request refused with 429 is sent again once the wait is over, when the wait is at most this long; else it fails. */
  rateLimitRetrySeconds: number;
  /** Longest pause between reconnection attempts of a hub. */
  reconnectMaxMs: number;
  /** At start, fills of the last this many days are looked up and reported again (the ledger ignores repeats). */
  reconcileDays: number;
}

const DEFAULTS: ProjectXSettings = {
  apiUrl: 'https://api.topstepx.com',
  rtcUrl: 'https://rtc.topstepx.com',
  marketDataAccount: '',
  commissionPerContract: 0,
  renewHoursBeforeExpiry: 2,
  tokenLifetimeHours: 24,
  requestTimeoutMs: 10_000,
  requestsPerMinute: 180,
  rateLimitWaitSeconds: 30,
  rateLimitRetrySeconds: 5,
  reconnectMaxMs: 30_000,
  reconcileDays: 1,
};

const URL_KEYS = ['apiUrl', 'rtcUrl'] as const;
/** Bounds of each number: a value outside them is a typo, and falls back to the default. */
const BOUNDS = {
  commissionPerContract: [0, 1000],
  renewHoursBeforeExpiry: [0, 23],
  tokenLifetimeHours: [1, 24 * 7],
  requestTimeoutMs: [100, 120_000],
  requestsPerMinute: [1, 10_000],
  rateLimitWaitSeconds: [0, 3600],
  rateLimitRetrySeconds: [0, 600],
  reconnectMaxMs: [10, 600_000],
  reconcileDays: [0, 30],
} as const;

const trimUrl = (url: string) => url.trim().replace(/\/+$/, '');

/** Reads the plugin settings; a wrong value falls back to its default with a warning naming it. */
export function readSettings(config: Record<string, unknown>, warn: (message: string) => void = () => undefined): ProjectXSettings {
  const settings: ProjectXSettings = { ...DEFAULTS };
  for (const key of [...URL_KEYS, 'marketDataAccount'] as const) {
    const value = config[key];
    if (value == null || value === '') continue;
    if (typeof value === 'string' && value.length <= 500) settings[key] = key === 'marketDataAccount' ? value.trim() : trimUrl(value);
    else warn(`${key} must be text, got ${JSON.stringify(value).slice(0, 80)}: using the default`);
  }
  readNumberSettings(config, settings, BOUNDS, warn);
  return settings;
}

/** What one login is: the firm's hosts, the user name and the API key. Accounts of one login share a session. */
export interface Login {
  apiUrl: string;
  rtcUrl: string;
  userName: string;
  apiKey: string;
}

/** The login of an account, or the problem with its settings in words. */
export function loginOf(account: BrokerAccount, settings: ProjectXSettings): Login | { problem: string } {
  const userName = account.settings['userName'] ?? account.settings['username'];
  const apiKey = account.secrets['apiKey'];
  if (typeof userName !== 'string' || userName.trim() === '')
    return { problem: `account "${account.name}" has no userName setting (the ProjectX user name)` };
  if (typeof apiKey !== 'string' || apiKey === '')
    return { problem: `account "${account.name}" has no apiKey secret (the ProjectX API key)` };
  const url = (key: 'apiUrl' | 'rtcUrl') => {
    const value = account.settings[key];
    return typeof value === 'string' && value.trim() !== '' ? trimUrl(value) : settings[key];
  };
  return { apiUrl: url('apiUrl'), rtcUrl: url('rtcUrl'), userName: userName.trim(), apiKey };
}

/** Sessions are shared by login: the same hosts and user name. */
export const loginKey = (login: Login) => `${login.apiUrl}|${login.userName}`;
