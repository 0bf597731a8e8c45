/** How fast a strategy's recent sandbox time fades: after this long, half of it is forgotten. */
const HALF_LIFE_MS = 2000;
/** Weight of the newest call in a strategy's average call time. */
const AVERAGE_WEIGHT = 0.2;

interface KeyUsage {
  /** Sandbox time spent recently, in ms, decayed with HALF_LIFE_MS as of `at`. */
  recentMs: number;
  /** Moving average of one handler call, in ms. */
  averageMs: number;
  at: number;
}

/**
 * Sandbox time per strategy, as the sandbox process reports it. The scheduler serves the strategy
 * that has used the least of it lately first, and the lanes move a strategy whose calls are slow
 * on average out of the way of the others.
 */
export class SandboxUsage {
  private readonly keys = new Map<string, KeyUsage>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** `call`: a handler call (it moves the average); loading a script counts as time spent only. */
  record(key: string, ms: number, kind: 'call' | 'other'): void {
    const now = this.clock();
    const usage = this.keys.get(key) ?? { recentMs: 0, averageMs: 0, at: now };
    usage.recentMs = this.decayed(usage, now) + ms;
    usage.at = now;
    if (kind === 'call') usage.averageMs += (ms - usage.averageMs) * AVERAGE_WEIGHT;
    this.keys.set(key, usage);
  }

  /** Sandbox time the key used lately (ms, fading), 0 for a key never seen. */
  recent(key: string | null): number {
    const usage = key === null ? undefined : this.keys.get(key);
    return usage ? this.decayed(usage, this.clock()) : 0;
  }

  /** The key's average call, in ms. */
  averageMs(key: string): number {
    return this.keys.get(key)?.averageMs ?? 0;
  }

  forget(key: string): void {
    this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }

  private decayed(usage: KeyUsage, now: number): number {
    return usage.recentMs * 2 ** (-(now - usage.at) / HALF_LIFE_MS);
  }
}
