import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { hook } from '../../support/scripts.js';

/**
 * An alert replayed after a restart whose order is on record already (the process stopped after
 * the order, before the alert was done) places nothing new; its risk check ran beside the order's
 * insert, which met the order on record. Whatever that check took of an orders-a-minute limit is
 * given back: the next real alert is not refused for an order that never was.
 */
describe('orders a minute across a replayed alert', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-replay-rate-'));
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  const start = async () => {
    server = await startServer({ dataDir, overrides: { plugins: { disabled: ['sim-feed'] } } });
  };
  const events = () => http(server.url, 'GET', `/api/events?strategyId=${strategy.id}&limit=10`).then((r) => r.body as any[]);
  const orders = () => http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=10`).then((r) => r.body.items as any[]);
  const buy = (id: string, price: number) => hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'buy', price, id });

  beforeAll(async () => {
    await start();
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'one a minute', risk: { maxOrdersPerMinute: 1 } })).body;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives back the count of a replayed order, so the next alert trades', async () => {
    const first = await buy('a', 6800);
    expect(first.status).toBe(202);
    await eventually(
      async () => (await events()).every((e) => e.status === 'done') && (await orders()).length === 1,
      10000,
      'the first order',
    );

    // As if the process had stopped after the order and before the alert was done: replayed at the next start.
    await server.app
      .get(DatabaseService)
      .dataSource.query(`UPDATE webhook_events SET "status" = 'accepted', "processedAt" = NULL WHERE "id" = '${first.body.eventId}'`);
    await server.close({ keepData: true });
    await start();
    await eventually(async () => (await events()).every((e) => e.status === 'done'), 10000, 'the replay done');
    expect(await orders()).toHaveLength(1);

    const second = await buy('b', 6801);
    expect(second.status).toBe(202);
    const [latest] = await eventually(
      async () => {
        const items = await orders();
        return items.length === 2 && items[0].status !== 'pending' && items[0].status !== 'working' ? items : undefined;
      },
      10000,
      'the second order',
    );
    expect([latest.status, latest.reason]).toEqual(['filled', null]);
  });
});
