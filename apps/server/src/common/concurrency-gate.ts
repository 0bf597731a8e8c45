/** Thrown when a gate's waiting line is full: the caller should answer "busy, try again". */
export class GateFull extends Error {
  constructor() {
    super('too many waiting');
  }
}

/**
 * At most `concurrent` jobs at once; up to `waiting` more wait their turn in order; beyond that,
 * `run` refuses at once (GateFull). For expensive work on demand from outside — a password
 * check costs tens of milliseconds and 32 MB — so a burst cannot take the machine.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly line: (() => void)[] = [];

  constructor(
    private readonly concurrent: number,
    private readonly waiting: number,
  ) {
    if (!(concurrent >= 1) || !(waiting >= 0)) throw new Error('a gate needs concurrent >= 1 and waiting >= 0');
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrent) {
      if (this.line.length >= this.waiting) throw new GateFull();
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await job();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.line.shift();
      if (next) next();
      else this.active--;
    }
  }

  get busy(): number {
    return this.active;
  }

  get queued(): number {
    return this.line.length;
  }
}
