import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes SQLite's write-ahead log durable off the event loop. better-sqlite3 is synchronous, so a
 * commit with `synchronous=FULL` holds the whole process for its fsync (milliseconds on a busy
 * disk), and at 100 alerts a second two of them per alert are most of the time there is. Commits
 * run with `synchronous=NORMAL` instead, and a durable unit of work is answered only once this
 * has synced the log file (`fdatasync` on libuv's thread pool): the same promise FULL gives —
 * everything committed before the sync began is on disk — while the event loop goes on, and one
 * sync serves every commit made before it started.
 */
export class WalSync {
  private handle?: FileHandle;
  private running?: Promise<void>;
  private next?: Promise<void>;
  /** Syncs done (tests). */
  count = 0;

  constructor(private readonly walFile: string) {}

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.run().finally(() => (this.running = undefined));
      return this.running;
    }
    // A sync under way may have started before this commit: the next one covers it (and every other that waits for it).
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.sync();
      });
    return this.next;
  }

  /**
   * Syncs in the background when no sync is under way. After commits nobody waits for (the
   * engine's bookkeeping), so the next durable commit's sync does not also carry their pages.
   */
  syncIfIdle(): void {
    if (!this.running) this.sync().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.next?.catch(() => undefined);
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async run(): Promise<void> {
    this.handle ??= await open(this.walFile, 'r+');
    await this.handle.datasync();
    this.count++;
  }
}
