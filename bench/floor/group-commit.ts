/**
 * Group commit: what arrives while a commit is in progress waits and is written together in the
 * next one, so a burst of requests costs one fsync. At most `max` items per commit.
 */
export class GroupCommit<T> {
  private pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly commit: (items: T[]) => Promise<void> | void,
    private readonly max = 256,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // After the I/O already read: requests that came in together land in one batch.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const batch = this.pending.splice(0, this.max);
    try {
      await this.commit(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      this.running = false;
      if (this.pending.length) this.schedule();
    }
  }
}
