import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { Statements } from '../../../apps/server/src/database/statements.js';
import { SystemSettings } from '../../../apps/server/src/settings/system-settings.service.js';
import { REDIS_URL, startServer, type TestServer } from '../../support/app.js';

/**
 * The kill switch is read before every order that adds exposure. A process that writes its
 * database alone holds each setting in memory once read or written; where processes share the
 * database, any of them may engage the switch, so every read goes to it.
 */
describe('server-wide settings', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  const parts = (s: TestServer) => ({
    settings: s.app.get(SystemSettings),
    database: s.app.get(DatabaseService),
    dataSource: s.app.get(DataSource),
    reads: jest.spyOn(s.app.get(Statements), 'get'),
  });
  const outsideTheServer = (dataSource: DataSource, key: string, value: string) =>
    dataSource.query(
      'INSERT INTO system_settings ("key", "value", "updatedAt") VALUES (?, ?, 0) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"',
      [key, value],
    );

  it('alone: reads every setting at start, and sees every write the moment it commits', async () => {
    server = await startServer();
    const { settings, database, reads } = parts(server);
    expect(await settings.read('probe')).toBeNull();
    expect(await settings.read('probe')).toBeNull();
    await settings.write('probe', { engaged: true });
    expect(await settings.read('probe')).toBe('{"engaged":true}');
    // A write inside a unit of work is seen once that unit commits, not before.
    await database.transaction(async (m) => {
      await settings.write('probe', { engaged: false }, m);
      expect(await settings.read('probe')).toBe('{"engaged":true}');
    });
    expect(await settings.read('probe')).toBe('{"engaged":false}');
    expect(reads.mock.calls.filter(([, sql]) => String(sql).includes('system_settings'))).toHaveLength(0);
  });

  it('alone: a setting written before a restart is held from the start, read while a batch is open too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-settings-'));
    try {
      server = await startServer({ dataDir });
      await parts(server).settings.write('kill', { engaged: true });
      await server.close({ keepData: true });
      server = await startServer({ dataDir });
      const { settings, database, reads } = parts(server);
      // Under a flood a batch is always open: the read that would see its rows must not go to the database either.
      await database.transaction(async () => {
        expect(database.settled()).toBe(false);
        expect(await settings.read('kill')).toBe('{"engaged":true}');
        expect(await settings.read('never written')).toBeNull();
      });
      expect(reads.mock.calls.filter(([, sql]) => String(sql).includes('system_settings'))).toHaveLength(0);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('alone: a write in a unit that rolls back is never seen', async () => {
    server = await startServer();
    const { settings, database } = parts(server);
    await settings.write('probe', 'before');
    await expect(
      database.transaction(async (m) => {
        await settings.write('probe', 'lost', m);
        throw new Error('the unit fails');
      }),
    ).rejects.toThrow('the unit fails');
    expect(await settings.read('probe')).toBe('"before"');
  });

  it('sharing the database: every read goes to it, so a change another process made is seen at once', async () => {
    server = await startServer({ redisUrl: REDIS_URL });
    const { settings, dataSource, reads } = parts(server);
    await settings.write('probe', 'ours');
    expect(await settings.read('probe')).toBe('"ours"');
    await outsideTheServer(dataSource, 'probe', '"another process\'s"');
    expect(await settings.read('probe')).toBe('"another process\'s"');
    expect(reads.mock.calls.filter(([, sql]) => String(sql).includes('system_settings'))).toHaveLength(2);
  });
});
