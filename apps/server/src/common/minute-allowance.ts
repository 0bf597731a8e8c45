/** A key's minute once it is over: what was let through and what was held back, by tag. */
export interface ClosedMinute {
  key: string;
  start: number;
  end: number;
  taken: number;
  /** Held back, in all. */
  dropped: number;
  /** Held back, by the tag each was taken with (`413`, `bad alert`, …). */
  droppedByTag: Map<string, number>;
}

interface Minute {
  start: number;
  taken: number;
  dropped: number;
  droppedByTag: Map<string, number>;
}

export interface AllowanceDecision {
  allowed: boolean;
  /** This key's previous minute, when it held something back: its count is due now. */
  closed?: ClosedMinute;
}

/** Where keys beyond `maxKeys` are counted together. */
export const OTHER_KEYS = '*';

const MINUTE_MS = 60_000;

/**
 * `perMinute` per key in fixed one-minute windows (starting at a key's first use); what is over is
 * counted, so one line can say how much was held back once the minute is over. For log lines that
 * outside input could otherwise multiply. The table holds at most `maxKeys` keys: beyond that,
 * new keys share one window, so a flood of distinct keys cannot grow memory.
 */
export class MinuteAllowance {
  private readonly minutes = new Map<string, Minute>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 10_000,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(perMinute >= 1) || !(maxKeys >= 1)) throw new Error('a minute allowance needs perMinute and maxKeys of at least 1');
  }

  take(key: string, tag = ''): AllowanceDecision {
    const now = this.clock();
    let minute = this.minutes.get(key);
    let closed: ClosedMinute | undefined;
    if (minute && now - minute.start >= MINUTE_MS) {
      this.minutes.delete(key);
      if (minute.dropped) closed = this.closedOf(key, minute);
      minute = undefined;
    }
    if (!minute) {
      if (this.minutes.size >= this.maxKeys && key !== OTHER_KEYS) {
        const other = this.take(OTHER_KEYS, tag);
        return { allowed: other.allowed, closed: closed ?? other.closed };
      }
      this.minutes.set(key, (minute = { start: now, taken: 0, dropped: 0, droppedByTag: new Map() }));
    }
    if (minute.taken < this.perMinute) {
      minute.taken++;
      return { allowed: true, closed };
    }
    minute.dropped++;
    minute.droppedByTag.set(tag, (minute.droppedByTag.get(tag) ?? 0) + 1);
    return { allowed: false, closed };
  }

  /** Ends every minute that is over (all of them when `now` is Infinity): those that held something back are returned. */
  close(now = this.clock()): ClosedMinute[] {
    const out: ClosedMinute[] = [];
    for (const [key, minute] of this.minutes) {
      if (now - minute.start < MINUTE_MS) continue;
      this.minutes.delete(key);
      if (minute.dropped) out.push(this.closedOf(key, minute));
    }
    return out;
  }

  get size(): number {
    return this.minutes.size;
  }

  private closedOf(key: string, minute: Minute): ClosedMinute {
    return { key, end: minute.start + MINUTE_MS, ...minute };
  }
}

/** `413 ×1,800, bad alert ×3`: what a closed minute held back, most first. */
export const describeDropped = (closed: ClosedMinute): string =>
  [...closed.droppedByTag]
    .sort((a, b) => b[1] - a[1])
    .map(([tag, n]) => (tag ? `${tag} ×${n.toLocaleString('en-US')}` : `×${n.toLocaleString('en-US')}`))
    .join(', ');
