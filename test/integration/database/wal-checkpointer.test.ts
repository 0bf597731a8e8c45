import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKPOINT_AT_FRAMES,
  CHECKPOINT_EVERY_MS,
  WalCheckpointer,
  walBacklog,
} from '../../../apps/server/src/database/wal-checkpointer.js';
import { eventually } from '../../support/app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the WAL checkpointer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves a short log alone and copies one past its threshold back, off the writer', async () => {
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT)');
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    const backlog = () => walBacklog(readFileSync(`${file}-shm`).subarray(0, 100), endianness() === 'LE')!;
    const checkpointer = new WalCheckpointer();
    checkpointer.start(file, db);
    try {
      // Each commit is a frame or more of log: far fewer than the threshold.
      for (let i = 0; i < 50; i++) insert.run(`row ${i}`);
      await sleep(CHECKPOINT_EVERY_MS * 5);
      const short = backlog();
      expect(short.frames).toBeGreaterThanOrEqual(50);
      expect(short.backfilled).toBe(0);

      for (let i = 0; i < CHECKPOINT_AT_FRAMES + 100; i++) insert.run(`row ${i}`);
      const copied = await eventually(
        async () => {
          const wal = backlog();
          return wal.backfilled > 0 && wal;
        },
        5000,
        'a checkpoint of the long log',
      );
      expect(copied.backfilled).toBeGreaterThanOrEqual(CHECKPOINT_AT_FRAMES);
      // The main connection's own automatic checkpoint is only the backstop, far beyond.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10000);
      // Copied back, the rows read the same from the database file alone.
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(db.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 50 + CHECKPOINT_AT_FRAMES + 100 });
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('reads the wal-index header as SQLite documents it, and nothing else', () => {
    const header = Buffer.alloc(100);
    header.writeUInt32LE(3007000, 0);
    header.writeUInt32LE(1234, 16);
    header.writeUInt32LE(1000, 96);
    expect(walBacklog(header, true)).toEqual({ frames: 1234, backfilled: 1000 });
    const big = Buffer.alloc(100);
    big.writeUInt32BE(3007000, 0);
    big.writeUInt32BE(7, 16);
    expect(walBacklog(big, false)).toEqual({ frames: 7, backfilled: 0 });
    // Another layout, or a short read: unknown, and the checkpointer copies on every look.
    expect(walBacklog(big, true)).toBeNull();
    expect(walBacklog(header.subarray(0, 64), true)).toBeNull();
  });
});
