import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, startServer, type TestServer } from './app.js';

/** Writes a broker plugin whose entry is `source` (an ES module) into `pluginsDir/name`, as the server loads plugins. */
export function installBrokerPlugin(pluginsDir: string, name: string, source: string): void {
  mkdirSync(join(pluginsDir, name), { recursive: true });
  writeFileSync(
    join(pluginsDir, name, 'package.json'),
    JSON.stringify({ name, type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
  );
  writeFileSync(join(pluginsDir, name, 'index.js'), source);
}

/**
 * A server whose plugins are the test's brokers (name → source) and nothing else but what the
 * server ships with the simulated feed off, on SQLite or on a PostgreSQL database of its own;
 * `close` removes both.
 */
export async function serverWithBrokers(
  kind: 'sqlite' | 'postgres',
  brokers: Record<string, string>,
): Promise<{ server: TestServer; close(): Promise<void> }> {
  const plugins = mkdtempSync(join(tmpdir(), 'tradeloop-brokers-'));
  for (const [name, source] of Object.entries(brokers)) installBrokerPlugin(plugins, name, source);
  const database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const server = await startServer({ databaseUrl: database?.url, overrides: { plugins: { dir: plugins, disabled: ['sim-feed'] } } });
  return {
    server,
    async close() {
      await server.close();
      await database?.drop();
      rmSync(plugins, { recursive: true, force: true });
    },
  };
}
