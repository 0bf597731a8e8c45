import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { http, startServer, type TestServer } from '../../support/app.js';

const plugin = (dir: string, name: string, manifest: unknown, entrySource?: string) => {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ name, type: 'module', tradeloop: manifest }));
  if (entrySource) writeFileSync(join(dir, name, 'index.js'), entrySource);
};

describe('plugin discovery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-plugins-'));
  let server: TestServer;

  beforeAll(async () => {
    symlinkSync(resolve('plugins/paper-broker'), join(dir, 'paper-broker'));
    symlinkSync(resolve('plugins/sim-feed'), join(dir, 'sim-feed'));
    symlinkSync(resolve('plugins/tradovate'), join(dir, 'tradovate'));
    plugin(dir, 'bad-manifest', { kind: 'exchange', apiVersion: 99, entry: 'index.js' });
    plugin(dir, 'bad-kinds', { kind: ['broker', 'broker'], apiVersion: 1, entry: 'index.js' });
    plugin(
      dir,
      'kind-mismatch',
      { kind: ['broker', 'datafeed'], apiVersion: 1, entry: 'index.js' },
      'export default { kind: "broker", apiVersion: 1, create: () => ({}) };',
    );
    plugin(dir, 'throws-on-import', { kind: 'broker', apiVersion: 1, entry: 'index.js' }, 'throw new Error("broken on purpose");');
    plugin(dir, 'missing-entry', { kind: 'datafeed', apiVersion: 1, entry: 'dist/nowhere.js' });
    plugin(
      dir,
      'fails-to-start',
      { kind: 'datafeed', apiVersion: 1, entry: 'index.js' },
      'export default { kind: "datafeed", apiVersion: 1, create: () => ({ supports: () => false, subscribe: async () => {}, unsubscribe: async () => {}, start: async () => { throw new Error("no connection"); } }) };',
    );
    server = await startServer({ overrides: { plugins: { dir } } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the good plugins and reports every broken one in /api/health', async () => {
    const health = (await http(server.url, 'GET', '/api/health')).body;
    expect(health.status).toBe('degraded');
    const byName = Object.fromEntries(health.plugins.map((p: any) => [p.name, p]));
    expect(byName['paper-broker']).toEqual(expect.objectContaining({ kind: 'broker', status: 'started', error: null }));
    expect(byName['sim-feed']).toEqual(expect.objectContaining({ kind: 'datafeed', status: 'started' }));
    expect(byName['tradovate']).toEqual(expect.objectContaining({ kind: ['broker', 'datafeed'], status: 'started', error: null }));
    expect(byName['bad-kinds'].error).toMatch(/tradeloop\.kind/);
    expect(byName['kind-mismatch'].error).toMatch(/entry exports kind "broker" but the manifest says "broker\+datafeed"/);
    expect(byName['bad-manifest'].status).toBe('failed');
    expect(byName['bad-manifest'].error).toMatch(/tradeloop\.kind/);
    expect(byName['bad-manifest'].error).toMatch(/tradeloop\.apiVersion/);
    expect(byName['throws-on-import']).toEqual(
      expect.objectContaining({ status: 'failed', error: expect.stringMatching(/broken on purpose/) }),
    );
    expect(byName['missing-entry']).toEqual(expect.objectContaining({ status: 'failed', error: expect.stringMatching(/not found/) }));
    expect(byName['fails-to-start']).toEqual(expect.objectContaining({ status: 'failed', error: expect.stringMatching(/no connection/) }));
  });

  it('writes each failure to the log', async () => {
    const logs = (await http(server.url, 'GET', '/api/logs?level=error&limit=50')).body as any[];
    for (const name of ['bad-manifest', 'throws-on-import', 'missing-entry', 'fails-to-start']) {
      expect(logs.some((l) => l.category === 'plugin' && l.message.startsWith(`plugin ${name}:`))).toBe(true);
    }
  });
});
