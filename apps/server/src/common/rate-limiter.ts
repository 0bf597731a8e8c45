export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the next attempt would be allowed (the `Retry-After` value); 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Keys a limiter tracks at most, unless told otherwise. */
export const DEFAULT_MAX_KEYS = 10_000;

/**
 * Token buckets by key: `capacity` attempts at once, refilled evenly over `periodMs`. Memory stays
 * bounded: a full bucket holds no information and is not kept (looking at a key creates nothing),
 * and the table holds at most `maxKeys` buckets — past that, the one unused longest (the most
 * refilled) makes room.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;
  private sweepAt = 0;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly clock: () => number = Date.now,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {
    if (!(capacity > 0) || !(periodMs > 0)) throw new Error('rate limit capacity and period must be greater than 0');
    if (!(maxKeys >= 1)) throw new Error('a rate limiter must track at least one key');
    this.refillPerMs = capacity / periodMs;
  }

  /** Takes one attempt from the key's bucket, if it has one. */
  take(key: string): RateDecision {
    const now = this.clock();
    this.sweep(now);
    const tokens = this.tokens(key, now);
    if (tokens >= 1) {
      this.store(key, tokens - 1, now);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return this.refusal(tokens);
  }

  /** Whether the key could take an attempt now, without taking it (and without remembering the key). */
  peek(key: string): RateDecision {
    const tokens = this.tokens(key, this.clock());
    return tokens >= 1 ? { allowed: true, retryAfterSeconds: 0 } : this.refusal(tokens);
  }

  /** Gives back an attempt taken for something that turned out not to count (a login that succeeded). */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    const now = this.clock();
    const tokens = this.tokens(key, now) + 1;
    if (tokens >= this.capacity) this.buckets.delete(key);
    else this.store(key, tokens, now);
  }

  /** Forgets a key (a successful login clears its failures). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refusal(tokens: number): RateDecision {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.refillPerMs / 1000)) };
  }

  /** The key's tokens now, refilled since it was last used. */
  private tokens(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.capacity;
    return Math.min(this.capacity, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
  }

  private store(key: string, tokens: number, now: number): void {
    // Re-inserted on every use, so the map's order is least recently used first.
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) {
      const unusedLongest = this.buckets.keys().next();
      if (!unusedLongest.done) this.buckets.delete(unusedLongest.value);
    }
    this.buckets.set(key, { tokens, updatedAt: now });
  }

  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + this.periodMs;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.capacity) this.buckets.delete(key);
    }
  }
}
