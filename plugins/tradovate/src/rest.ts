import type { PluginLogger } from '@tradeloop/contracts';

export type TradovateErrorKind =
  /** The login was refused (bad credentials, locked user): retrying the same credentials will not help. */
  | 'login-refused'
  /** A captcha was asked for: a server cannot answer it, so nothing is sent until `retryAt`. */
  | 'captcha'
  /** HTTP 429 or 423 (REST), status 429 (WebSocket): nothing is sent until `retryAt`. */
  | 'rate-limit'
  /** HTTP 401: the access token expired or was revoked. */
  | 'unauthorized'
  | 'http'
  /** Tradovate could not be reached; nothing was received. */
  | 'network'
  /** No answer in time: the request may or may not have been carried out. */
  | 'timeout';

export class TradovateError extends Error {
  constructor(
    readonly kind: TradovateErrorKind,
    message: string,
    /** Epoch ms before which asking again is pointless. */
    readonly retryAt?: number,
  ) {
    super(message);
    this.name = 'TradovateError';
  }
}

export interface RestOptions {
  baseUrl: string;
  timeoutMs: number;
  /** After a 429 without Retry-After, send nothing for this long (the docs: about an hour). */
  rateLimitWaitMs: number;
  /** After a 423 (the warning that a 429 lockout is near), send nothing for this long. */
  lockoutWarningWaitMs: number;
  captchaWaitMs: number;
  logger: PluginLogger;
  /** How many penalty tickets in a row a request may answer before giving up. */
  maxPenalties?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  token?: string;
  body?: Record<string, unknown>;
  query?: Record<string, string | number>;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';

/** Penalty answer: HTTP 200 with `p-ticket`, `p-time` (seconds) and perhaps `p-captcha`. */
export interface Penalty {
  'p-ticket': string;
  'p-time'?: number;
  'p-captcha'?: boolean;
}

export const isPenalty = (value: unknown): value is Penalty =>
  typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['p-ticket'] === 'string';

/**
 * Tradovate's REST API: JSON in and out, `Authorization: Bearer <accessToken>`. Answers a penalty
 * ticket the way the API asks (wait `p-time` seconds, send the same request again with the ticket
 * as one more field: in the body of a POST, in the query of a GET, which has no body), stops at a
 * captcha, and after a 429 or a 423 sends nothing until the wait is over: it never hammers.
 */
export class TradovateRest {
  private blockedUntil = 0;
  private blockedReason = '';
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RestOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** When requests are paused (rate limit, captcha): until when and why. */
  pausedUntil(): { until: number; reason: string } | null {
    return this.blockedUntil > Date.now() ? { until: this.blockedUntil, reason: this.blockedReason } : null;
  }

  /** Sends nothing until `until` (a WebSocket 429 pauses the REST API of the same login too). */
  pause(until: number, reason: string): void {
    if (until > this.blockedUntil) {
      this.blockedUntil = until;
      this.blockedReason = reason;
    }
  }

  async request<T>(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<T> {
    let body = options.body;
    let query = options.query;
    for (let penalties = 0; ; penalties++) {
      const answer = await this.send(method, path, { ...options, body, query });
      if (!isPenalty(answer)) return answer as T;
      const seconds = Math.max(0, Number(answer['p-time'] ?? 0));
      if (answer['p-captcha']) {
        const until = Date.now() + Math.max(seconds * 1000, this.options.captchaWaitMs);
        this.pause(until, `Tradovate asked for a captcha on ${path} (too many requests from this address); a server cannot answer one`);
        throw new TradovateError('captcha', `${this.blockedReason}: waiting until ${clock(until)} before trying again`, until);
      }
      if (penalties >= (this.options.maxPenalties ?? 5)) {
        throw new TradovateError('rate-limit', `Tradovate kept answering ${path} with penalty tickets; giving up after ${penalties + 1}`);
      }
      this.options.logger.warn(`Tradovate asked to wait ${seconds} s before ${path} again (penalty ticket); waiting`);
      await this.sleep(seconds * 1000);
      // The same request again with the ticket as one more field: a GET has no body, so its query carries it.
      if (method === 'POST') body = { ...(options.body ?? {}), 'p-ticket': answer['p-ticket'] };
      else query = { ...(options.query ?? {}), 'p-ticket': answer['p-ticket'] };
    }
  }

  private async send(method: 'GET' | 'POST', path: string, options: RequestOptions): Promise<unknown> {
    const paused = this.pausedUntil();
    if (paused)
      throw new TradovateError('rate-limit', `${paused.reason}: requests to Tradovate paused until ${clock(paused.until)}`, paused.until);
    const url = new URL(`${this.options.baseUrl}/${path.replace(/^\//, '')}`);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body ? JSON.stringify(options.body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new TradovateError('timeout', `Tradovate did not answer ${path} within ${this.options.timeoutMs} ms`);
      }
      throw new TradovateError('network', `cannot reach Tradovate at ${url.host}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    }
    const raw = await response.text().catch(() => '');
    if (response.status === 429) {
      const until = Date.now() + this.retryAfter(response, this.options.rateLimitWaitMs);
      this.pause(until, `Tradovate's rate limit answered ${path} with HTTP 429`);
      throw new TradovateError('rate-limit', `${this.blockedReason}: requests paused until ${clock(until)}`, until);
    }
    if (response.status === 423) {
      const until = Date.now() + this.retryAfter(response, this.options.lockoutWarningWaitMs);
      this.pause(
        until,
        `Tradovate answered ${path} with HTTP 423: this login is about to be locked out of the API (the next step is a 429 and an hour's wait)`,
      );
      throw new TradovateError('rate-limit', `${this.blockedReason}; requests paused until ${clock(until)}`, until);
    }
    if (response.status === 401)
      throw new TradovateError('unauthorized', `Tradovate answered ${path} with HTTP 401 (access token expired or revoked)`);
    if (!response.ok) {
      throw new TradovateError('http', `Tradovate answered ${path} with HTTP ${response.status}${raw ? `: ${raw.slice(0, 200)}` : ''}`);
    }
    if (!raw) return null;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      // Some errors come back as a bare JSON string or plain text.
      return raw;
    }
  }

  private retryAfter(response: Response, fallbackMs: number): number {
    const seconds = Number(response.headers.get('retry-after'));
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallbackMs;
  }
}
