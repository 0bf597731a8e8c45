import type { Answer } from './wire.js';

/** A failed call, with words a trader can act on. `refused`: ProjectX answered success:false (no retry helps). */
export class ProjectXError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'rate-limited' | 'unauthorized' | 'network' | 'http',
    readonly errorCode: number | null = null,
  ) {
    super(message);
  }
}

/** At most `limit` requests in any `windowMs`: a request past it waits for the oldest to leave the window. */
export class RequestBudget {
  private readonly sent: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before the next request fits (0: now). */
  wait(): number {
    const now = this.now();
    while (this.sent.length > 0 && this.sent[0]! <= now - this.windowMs) this.sent.shift();
    return this.sent.length < this.limit ? 0 : this.sent[0]! + this.windowMs - now;
  }

  take(): void {
    this.sent.push(this.now());
  }
}

export interface RestOptions {
  baseUrl: string;
  timeoutMs: number;
  requestsPerMinute: number;
  rateLimitWaitSeconds: number;
  rateLimitRetrySeconds: number;
  /** The token to send, if any. */
  token: () => string | null;
  /** Called once after a 401 with the token that was refused, to get a fresh one; false when none could be had. */
  relogin: (refused: string | null) => Promise<boolean>;
  onRateLimited?: (waitMs: number) => void;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longest error text taken from an answer into a message or a log line. */
const MAX_TEXT = 300;
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

/**
 * ProjectX's REST API: every call a JSON POST, every answer `{ success, errorCode, errorMessage, … }`.
 * Requests share a client-side budget (under ProjectX's 200 a minute); an HTTP 429 stops every
 * request of the login until its Retry-After (or `rateLimitWaitSeconds`) is over, and the refused
 * request is sent again when that wait is short (a 429 means ProjectX did nothing with it).
 */
export class ProjectXRest {
  private readonly budget: RequestBudget;
  private blockedUntil = 0;

  constructor(private readonly options: RestOptions) {
    this.budget = new RequestBudget(options.requestsPerMinute, 60_000);
  }

  /** When requests may be sent again after a 429 (epoch ms; 0: not blocked). */
  get rateLimitedUntil(): number {
    return this.blockedUntil > Date.now() ? this.blockedUntil : 0;
  }

  async post<T extends Partial<Answer>>(path: string, body: unknown, what: string): Promise<T> {
    let relogged = false;
    for (let attempt = 0; ; attempt++) {
      await this.clearance(what);
      const sentToken = this.options.token();
      const response = await this.send(path, body, sentToken, what);
      if (response.status === 429) {
        const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? this.options.rateLimitWaitSeconds * 1000;
        this.blockedUntil = Math.max(this.blockedUntil, Date.now() + waitMs);
        this.options.onRateLimited?.(waitMs);
        if (attempt < 2 && waitMs <= this.options.rateLimitRetrySeconds * 1000) continue;
        throw new ProjectXError(
          `ProjectX is limiting requests (HTTP 429): ${what} not sent, try again in ${Math.ceil(waitMs / 1000)} s`,
          'rate-limited',
        );
      }
      if (response.status === 401 && sentToken !== null && !relogged) {
        relogged = true;
        if (await this.options.relogin(sentToken)) continue;
      }
      if (response.status === 401) throw new ProjectXError(`ProjectX refused the session (HTTP 401) for ${what}`, 'unauthorized');
      const text = await response.text();
      if (!response.ok)
        throw new ProjectXError(`ProjectX answered HTTP ${response.status} to ${what}${text ? `: ${clip(text)}` : ''}`, 'http');
      let parsed: T;
      try {
        parsed = JSON.parse(text) as T;
      } catch {
        throw new ProjectXError(`ProjectX answered ${what} with something that is not JSON: ${clip(text)}`, 'http');
      }
      if (parsed === null || typeof parsed !== 'object') throw new ProjectXError(`ProjectX answered ${what} with no object`, 'http');
      if (parsed.success === false) {
        const code = typeof parsed.errorCode === 'number' ? parsed.errorCode : null;
        const message =
          typeof parsed.errorMessage === 'string' && parsed.errorMessage.trim() ? clip(parsed.errorMessage.trim()) : 'no reason given';
        throw new ProjectXError(`${message}${code !== null ? ` (error code ${code})` : ''}`, 'refused', code);
      }
      return parsed;
    }
  }

  private async clearance(what: string): Promise<void> {
    const blocked = this.blockedUntil - Date.now();
    if (blocked > 0) {
      if (blocked > this.options.rateLimitRetrySeconds * 1000)
        throw new ProjectXError(
          `ProjectX is limiting requests (HTTP 429): ${what} not sent, try again in ${Math.ceil(blocked / 1000)} s`,
          'rate-limited',
        );
      await pause(blocked);
    }
    for (let wait = this.budget.wait(); wait > 0; wait = this.budget.wait()) {
      if (wait > this.options.timeoutMs)
        throw new ProjectXError(
          `the request budget (${this.options.requestsPerMinute} a minute) is spent: ${what} not sent`,
          'rate-limited',
        );
      await pause(wait);
    }
    this.budget.take();
  }

  private async send(path: string, body: unknown, token: string | null, what: string): Promise<Response> {
    try {
      return await fetch(`${this.options.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer in ${this.options.timeoutMs} ms` : (error as Error).message;
      throw new ProjectXError(`ProjectX could not be reached for ${what}: ${clip(reason)}`, 'network');
    }
  }
}

/** Retry-After in seconds or as a date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - Date.now()), 3_600_000) : undefined;
}
