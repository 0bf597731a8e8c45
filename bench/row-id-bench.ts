// Row ids and what a commit writes: an `orders`-shaped SQLite table (text id as its primary key,
// a unique client id, two indexes) already holding ROWS rows, then COMMITS commits of BATCH
// inserts each — a group commit of a burst of alerts — with random ids (UUID v4, `randomUUID()`)
// and with time-ordered ones (UUID v7, `newRowId()`, what the server writes). Every page a commit
// changes is written to the write-ahead log again: random ids land on a different page of each
// id index per insert, ordered ids on the last one. A fresh database (the floor bench) hardly shows
// the difference; a database with months of history does.
//
// Run through `npm run bench`, or `npm run build:bench && node --no-node-snapshot bench/dist/row-id-bench.js`.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { newRowId } from '#server/common/row-id.js';
import { QUICK, report, tempDir } from './lib/common.js';

const ROWS = Number(process.env.BENCH_ID_ROWS ?? (QUICK ? 50_000 : 200_000));
const COMMITS = Number(process.env.BENCH_ID_COMMITS ?? 200);
const BATCH = 50;
/** A WAL frame: a 24-byte header and a 4 KiB page. */
const FRAME_BYTES = 24 + 4096;

function measure(label: string, id: () => string) {
  const dir = tempDir('row-id-bench');
  const file = join(dir, 'ids.sqlite');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Checkpoints only when asked: the log then holds exactly what the measured commits wrote.
    db.pragma('wal_autocheckpoint = 0');
    db.exec(
      `CREATE TABLE orders (id TEXT PRIMARY KEY, clientOrderId TEXT NOT NULL UNIQUE, strategyId TEXT, listedStrategyId TEXT, status TEXT, createdAt INTEGER)`,
    );
    // As the server's: a new row is written unlisted, under the index by time (StrategyListing).
    db.exec(`CREATE INDEX ix_orders_listed ON orders (listedStrategyId, createdAt) WHERE listedStrategyId IS NOT NULL`);
    db.exec(`CREATE INDEX ix_orders_unlisted ON orders (createdAt) WHERE listedStrategyId IS NULL`);
    db.exec(`CREATE INDEX ix_orders_status ON orders (status)`);
    const insert = db.prepare(`INSERT INTO orders VALUES (?, ?, ?, NULL, ?, ?)`);
    const strategies = Array.from({ length: 20 }, () => randomUUID());
    const add = db.transaction((count: number) => {
      for (let i = 0; i < count; i++) {
        const eventId = id();
        insert.run(id(), `${eventId}:main`, strategies[i % strategies.length], 'filled', Date.now());
      }
    });
    for (let done = 0; done < ROWS; done += 10_000) add(Math.min(10_000, ROWS - done));
    db.pragma('wal_checkpoint(TRUNCATE)');
    const started = performance.now();
    for (let c = 0; c < COMMITS; c++) add(BATCH);
    const millis = performance.now() - started;
    const walBytes = statSync(`${file}-wal`).size;
    const pagesPerCommit = Math.round(walBytes / FRAME_BYTES / COMMITS);
    const msPerCommit = Math.round((millis / COMMITS) * 1000) / 1000;
    console.log(
      `${label}: ${pagesPerCommit} pages written a commit of ${BATCH} inserts (${(walBytes / 1024 / 1024).toFixed(1)} MiB for ${COMMITS}), ${msPerCommit} ms a commit, into ${ROWS.toLocaleString('en')} rows`,
    );
    return { label, pagesPerCommit, msPerCommit, walMiB: Math.round((walBytes / 1024 / 1024) * 10) / 10 };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const random = measure('random ids (UUID v4)', randomUUID);
const ordered = measure('time-ordered ids (UUID v7, the server)', newRowId);
const ratio = Math.round((random.pagesPerCommit / Math.max(1, ordered.pagesPerCommit)) * 10) / 10;
console.log(`time-ordered ids write ${ratio}× fewer pages a commit`);
report({ rowIds: { rows: ROWS, commits: COMMITS, batch: BATCH, random, ordered, pagesRatio: ratio } });
