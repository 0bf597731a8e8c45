import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the write-ahead log into the database file. */
export const CHECKPOINT_EVERY_MS = 100;

/**
 * The checkpointer's own loop, run in a worker thread on a connection of its own: a PASSIVE
 * checkpoint never waits for or blocks the writer, and its syncs (of the log, then of the
 * database file) happen off the event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // busy (another checkpoint running) or the file went away: the next turn tries again
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

/**
 * SQLite in WAL mode copies the log back into the database file (a checkpoint, with an fsync of
 * each) inside whichever commit crosses 1,000 pages of log — on the event loop, since
 * better-sqlite3 is synchronous, so a webhook waits for it. Here a worker thread checkpoints
 * every `CHECKPOINT_EVERY_MS` instead; the main connection keeps its own automatic checkpoint
 * only as a backstop (at 10,000 pages), should the worker fall behind or stop.
 * What is durable does not change: a commit is durable by its own sync of the log.
 */
export class WalCheckpointer {
  private worker?: Worker;

  start(file: string, connection: { pragma(sql: string): unknown }): void {
    if (this.worker || file === ':memory:' || file === '') return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
    this.worker.unref();
    // A worker that fails leaves the backstop: the main connection checkpoints on its own again.
    this.worker.on('error', () => {
      this.worker = undefined;
      connection.pragma('wal_autocheckpoint = 1000');
    });
    connection.pragma('wal_autocheckpoint = 10000');
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    // Held by the worker while it stops: an unreferenced worker and timer would let a process with
    // nothing else to do end here, in the middle of its shutdown.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }
}
