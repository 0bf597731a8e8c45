/**
 * When to try a notification again, and how fast a channel may be sent to: pure arithmetic on
 * instants, so it is tested with a table and a fixed "random".
 *
 * - Retries back off exponentially with jitter (half the delay fixed, half random), so a channel
 *   that is down is not hammered and several processes do not retry in step.
 * - A server's own "retry after" (Discord's 429 `retry_after`, Telegram's `parameters.retry_after`,
 *   an HTTP `Retry-After`) wins over the backoff, and holds the whole channel.
 * - A per-channel token bucket keeps a burst of events under the service's limits.
 * - After `maxAttempts`, or on an answer that retrying cannot fix, the notification is given up
 *   with the reason.
 */

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RateLimit {
  /** Sustained messages per minute. */
  perMinute: number;
  /** Messages that may go at once after a quiet spell. */
  burst: number;
}

/** The default: 1 s, 2 s, 4 s … capped at 10 min; given up after 12 tries (about 34 minutes of trying). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 600_000 };

/** What a channel's sender reports for one attempt. */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      /** Whether trying again later can help (a timeout, a 5xx, a 429) or not (a deleted webhook, a wrong token). */
      retry: boolean;
      /** The service's own wait, when it said one. */
      retryAfterMs?: number;
      reason: string;
    };

export type Decision =
  | { action: 'sent' }
  | { action: 'retry'; at: number; reason: string; holdChannelUntil: number | null }
  | { action: 'give-up'; reason: string };

/** The wait before attempt `attempt + 1`, after `attempt` failures (1-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}

/** What to do after attempt number `attempt` (1-based) ended with `outcome`. */
export function decide(outcome: SendOutcome, attempt: number, policy: RetryPolicy, now: number, random: number): Decision {
  if (outcome.ok) return { action: 'sent' };
  if (!outcome.retry) return { action: 'give-up', reason: outcome.reason };
  if (attempt >= policy.maxAttempts) return { action: 'give-up', reason: `gave up after ${attempt} attempts: ${outcome.reason}` };
  if (outcome.retryAfterMs !== undefined) {
    const at = now + Math.max(0, Math.ceil(outcome.retryAfterMs));
    return { action: 'retry', at, reason: outcome.reason, holdChannelUntil: at };
  }
  return { action: 'retry', at: now + backoffDelay(attempt, policy, random), reason: outcome.reason, holdChannelUntil: null };
}

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export const fullBucket = (limit: RateLimit, now: number): Bucket => ({ tokens: limit.burst, updatedAt: now });

/** Far below any real fraction of a token (a microsecond of a 10-per-second limit is 1e-5). */
const TOKEN_NOISE = 1e-9;

/**
 * Takes one token if there is one (`waitMs` 0), or says how long until there is. Tokens refill
 * at `perMinute` and never exceed `burst`.
 */
export function takeToken(bucket: Bucket, limit: RateLimit, now: number): { bucket: Bucket; waitMs: number } {
  const msPerToken = 60_000 / limit.perMinute;
  const elapsed = Math.max(0, now - bucket.updatedAt);
  const tokens = Math.min(limit.burst, bucket.tokens + elapsed / msPerToken);
  // Fractions of a token summed in binary fall a hair short (0.13 + 0.87 is 0.9999999999999999):
  // a token the clock says is due is taken, rather than answered with a wait that rounds to 0 ms
  // and lets the message go without one.
  if (tokens >= 1 - TOKEN_NOISE) return { bucket: { tokens: Math.max(0, tokens - 1), updatedAt: now }, waitMs: 0 };
  // Rounded to a microsecond first, so binary noise never adds a millisecond; never 0, so a caller
  // that sends on a 0 wait cannot send without a token.
  const waitMs = Math.max(1, Math.ceil(Math.round((1 - tokens) * msPerToken * 1000) / 1000));
  return { bucket: { tokens, updatedAt: now }, waitMs };
}

/**
 * An HTTP `Retry-After`: seconds, or an HTTP date. Milliseconds from `now`, or undefined when it
 * is absent or unreadable; capped at a day so a bad header cannot park a channel for good.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, Math.ceil(ms)), 86_400_000) : undefined;
}
