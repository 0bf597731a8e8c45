import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/**
 * With one process the open brackets are held in memory (the fill and alert paths ask them of
 * every fill and alert). A restart loads them from the table: an entry still working when the
 * server stopped gets its legs when it fills afterwards.
 */
describe('open brackets across a restart (one process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-brackets-'));
  let server: TestServer;
  const start = async () => {
    server = await startServer({ dataDir, overrides: { plugins: { disabled: ['sim-feed'] } } });
  };
  const quote = (bid: number, ask: number) => server.app.get(MarketService).publish({ ticker: 'MNQ1!', bid, ask, time: Date.now() });

  beforeAll(start);
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('places the legs of an entry that fills after the restart', async () => {
    const paper = ((await http(server.url, 'GET', '/api/accounts')).body as { id: string }[])[0]!.id;
    quote(18500, 18500.25);
    const entry = await http(server.url, 'POST', '/api/orders', {
      accountId: paper,
      ticker: 'MNQ1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 18490,
      takeProfit: { ticks: 8 },
      stopLoss: { ticks: 20 },
    });
    expect(entry.body.status).toBe('working');
    await server.close({ keepData: true });
    await start();

    quote(18490, 18490);
    const legs = await eventually(
      async () => {
        const items = (await http(server.url, 'GET', `/api/orders?accountId=${paper}&limit=20`)).body.items as any[];
        const tp = items.find((o) => o.clientOrderId === `${entry.body.clientOrderId}:tp1`);
        const sl = items.find((o) => o.clientOrderId === `${entry.body.clientOrderId}:sl1`);
        return tp && sl ? { tp, sl } : undefined;
      },
      10_000,
      'bracket legs after the restart',
    );
    expect([legs.tp.limitPrice, legs.sl.stopPrice]).toEqual([18492, 18485]);
  });
});
