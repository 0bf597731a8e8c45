import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer looks at the write-ahead log. */
export const CHECKPOINT_EVERY_MS = 100;
/**
 * Log frames (pages) not yet copied into the database file before the checkpointer copies them:
 * SQLite's own automatic checkpoint size (about 4 MB of log).
 */
export const CHECKPOINT_AT_FRAMES = 1000;

/**
 * How far the log is ahead of the database file, read from the wal-index (the `-shm` file) as
 * SQLite documents it (walformat.html): a header whose `iVersion` (offset 0) is 3007000,
 * `mxFrame` (offset 16: the last valid frame) and, in the checkpoint info after the header's two
 * copies, `nBackfill` (offset 96: frames copied back), in the machine's byte order. Null when the
 * file cannot be read as that: the checkpointer then copies on every look, as it always can.
 */
export function walBacklog(header: Buffer, littleEndian: boolean): { frames: number; backfilled: number } | null {
  if (header.length < 100) return null;
  const u32 = (at: number) => (littleEndian ? header.readUInt32LE(at) : header.readUInt32BE(at));
  if (u32(0) !== 3007000) return null;
  return { frames: u32(16), backfilled: u32(96) };
}

/**
 * The checkpointer's own loop, run in a worker thread on a connection of its own: a PASSIVE
 * checkpoint never waits for or blocks the writer, and its syncs (of the log, then of the
 * database file) happen off the event loop. It copies once the log is CHECKPOINT_AT_FRAMES ahead,
 * not on every look: a log copied back in full is started over by the next commit, which writes
 * and fsyncs a new log header on the event loop — every 100 ms, that fsync sat in front of one
 * alert in ten at 100 alerts a second.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const Database = require(workerData.driver);
const backlog = new Function('return ' + workerData.walBacklog)();
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const header = Buffer.alloc(100);
let shm = null;
function due() {
  try {
    shm ??= openSync(workerData.file + '-shm', 'r');
    const read = readSync(shm, header, 0, 100, 0);
    const wal = backlog(header.subarray(0, read), workerData.littleEndian);
    return wal === null || wal.frames - wal.backfilled >= workerData.atFrames;
  } catch {
    return true;
  }
}
const timer = setInterval(() => {
  if (!due()) return;
  try {
    checkpoint.get();
  } catch {
    // busy (another checkpoint running) or the file went away: the next turn tries again
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { if (shm !== null) closeSync(shm); } catch {}
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
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver,
        everyMs: CHECKPOINT_EVERY_MS,
        atFrames: CHECKPOINT_AT_FRAMES,
        walBacklog: walBacklog.toString(),
        littleEndian: endianness() === 'LE',
      },
    });
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
