import { readNumberSettings, type BrokerAccount } from '@tradeloop/contracts';

/** Alpaca's public endpoints per environment (trading), and the one market-data host. */
export const ENDPOINTS = {
  paper: { restUrl: 'https://paper-api.alpaca.markets', streamUrl: 'wss://paper-api.alpaca.markets/stream' },
  live: { restUrl: 'https://api.alpaca.markets', streamUrl: 'wss://api.alpaca.markets/stream' },
  /** The market-data stream; the feed (`iex` or `sip`) is the last path segment. */
  dataUrl: 'wss://stream.data.alpaca.markets/v2',
} as const;

export type Environment = 'paper' | 'live';

/** Plugin-wide settings: `plugins.settings.alpaca` over the manifest defaults. */
export interface AlpacaSettings {
  /** Overrides of the hosts for every account (a proxy, or a test server); empty: by environment. */
  restUrl: string;
  streamUrl: string;
  /** Market-data stream base, without the feed (`wss://stream.data.alpaca.markets/v2`). */
  dataUrl: string;
  /** `iex` (free) or `sip` (a paid subscription). */
  dataFeed: 'iex' | 'sip';
  /** `brokerAccountId` of the account whose keys the data feed uses; empty: the oldest Alpaca account. */
  marketDataAccount: string;
  /** Dollars per share booked with each fill (Alpaca charges no commission on stocks). */
  commissionPerShare: number;
  requestTimeoutMs: number;
  /** How long placeOrder waits for a market order's fill on the stream before it answers "working". */
  ackWaitMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

const DEFAULTS: AlpacaSettings = {
  restUrl: '',
  streamUrl: '',
  dataUrl: '',
  dataFeed: 'iex',
  marketDataAccount: '',
  commissionPerShare: 0,
  requestTimeoutMs: 10_000,
  ackWaitMs: 1500,
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
};

const URL_PATTERN = /^(https?|wss?):\/\/[^\s]{1,300}$/;

/** Reads the plugin's settings, falling back to the default (with a warning naming the key) for a bad value. */
export function readSettings(config: Record<string, unknown>, warn: (message: string) => void): AlpacaSettings {
  const out: AlpacaSettings = { ...DEFAULTS };
  for (const key of ['restUrl', 'streamUrl', 'dataUrl', 'marketDataAccount'] as const) {
    const value = config[key];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || value.length > 300 || (key !== 'marketDataAccount' && !URL_PATTERN.test(value))) {
      warn(`setting ${key} must be ${key === 'marketDataAccount' ? 'an account id' : 'an http(s) or ws(s) URL'}; using the default`);
      continue;
    }
    out[key] = value.replace(/\/+$/, '');
  }
  if (config.dataFeed !== undefined) {
    if (config.dataFeed === 'iex' || config.dataFeed === 'sip') out.dataFeed = config.dataFeed;
    else warn(`setting dataFeed must be "iex" or "sip"; using "${DEFAULTS.dataFeed}"`);
  }
  readNumberSettings(
    config,
    out,
    {
      commissionPerShare: [0, 10],
      requestTimeoutMs: [100, 120_000],
      ackWaitMs: [0, 10_000],
      reconnectMinMs: [10, 60_000],
      reconnectMaxMs: [10, 600_000],
    },
    warn,
  );
  return out;
}

/** What one Alpaca account needs to trade: its keys and where to reach it. */
export interface AlpacaLogin {
  environment: Environment;
  keyId: string;
  secretKey: string;
  restUrl: string;
  streamUrl: string;
}

/** The account's login, or the problem with its settings in words. */
export function loginOf(account: BrokerAccount, settings: AlpacaSettings): AlpacaLogin | string {
  const environment = account.settings.environment ?? 'paper';
  if (environment !== 'paper' && environment !== 'live') {
    return `Alpaca account "${account.brokerAccountId}": settings.environment must be "paper" or "live"`;
  }
  const keyId = account.settings.keyId ?? account.secrets.keyId;
  const secretKey = account.secrets.secretKey;
  if (typeof keyId !== 'string' || !/^[A-Za-z0-9]{4,64}$/.test(keyId)) {
    return `Alpaca account "${account.brokerAccountId}": settings.keyId must be the API key id (letters and digits)`;
  }
  if (typeof secretKey !== 'string' || secretKey.length < 4 || secretKey.length > 256) {
    return `Alpaca account "${account.brokerAccountId}": secrets.secretKey must be the API secret key`;
  }
  return {
    environment,
    keyId,
    secretKey,
    restUrl: settings.restUrl || ENDPOINTS[environment].restUrl,
    streamUrl: settings.streamUrl || ENDPOINTS[environment].streamUrl,
  };
}
