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
 * A broker that acks every order at once and reports its fill, whole, at 6,000, `afterMs` later:
 * as a real one does, late (the entry acked and not yet filled that sizing and flattens must see).
 * Its fill ids name the order: two processes' brokers on one account never report the same one.
 */
export const lateFillingBroker = (afterMs: number): string => `
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    let fills = 0;
    return {
      async placeOrder(order) {
        setTimeout(() => void ctx.reportFill({ fillId: 'L' + ++fills + '-' + order.clientOrderId, clientOrderId: order.clientOrderId,
          brokerOrderId: 'L-' + order.clientOrderId, ticker: order.ticker, side: order.side, quantity: order.quantity,
          price: 6000, commission: 0, time: Date.now() }).catch(() => undefined), ${afterMs});
        return { brokerOrderId: 'L-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder() {
        return false;
      },
    };
  },
};
`;

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
