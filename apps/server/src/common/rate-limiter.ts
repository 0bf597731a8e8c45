export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the next attempt would be allowed (the `Retry-After` value); 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets by key: `capacity` attempts at once, refilled evenly over `periodMs`. Memory stays
 * bounded: a full bucket holds no information and is dropped when the map is swept.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;
  private sweepAt = 0;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(capacity > 0) || !(periodMs > 0)) throw new Error('rate limit capacity and period must be greater than 0');
    this.refillPerMs = capacity / periodMs;
  }

  /** Takes one attempt from the key's bucket, if it has one. */
  take(key: string): RateDecision {
    const now = this.clock();
    this.sweep(now);
    const bucket = this.refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)) };
  }

  /** Whether the key could take an attempt now, without taking it. */
  peek(key: string): RateDecision {
    const bucket = this.refill(key, this.clock());
    if (bucket.tokens >= 1) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)) };
  }

  /** Forgets a key (a successful login clears its failures). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    return bucket;
  }

  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + this.periodMs;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.capacity) this.buckets.delete(key);
    }
  }
}
