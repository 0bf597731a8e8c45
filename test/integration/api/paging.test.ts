import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { routeTable } from '../../../apps/server/src/app.factory.js';
import { createPostgresDatabase, http, startServer, type TestServer } from '../../support/app.js';

/** Values a caller may put in a paging parameter; each must get 200 or a 400 naming it, never a 500. */
const HOSTILE = ['99999999999999999999', '9007199254740993', '1e400', '-1', '0', '1.5', 'NaN', 'Infinity', '0x10', '', ' ', 'abc', '%00'];
const PARAMS = ['limit', 'offset', 'beforeId', 'before', 'from', 'to', 'month'];

describe.each(['sqlite', 'postgres'] as const)('paging parameters on %s', (kind) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let databaseUrl = '';
    if (kind === 'postgres') {
      const database = await createPostgresDatabase();
      databaseUrl = database.url;
      drop = database.drop;
    }
    server = await startServer({ databaseUrl, overrides: { plugins: { disabled: ['sim-feed'] } } });
    // Something to page through.
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'pages' })).body;
    await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', price: 6800 });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await drop?.();
  });

  it('answers huge, negative and malformed limit, offset, beforeId, before, from, to and month on every list with 200 or 400', async () => {
    const lists = routeTable(server.app)
      .filter((r) => r.method === 'GET' && /^\/api\//.test(r.url) && !r.url.includes(':') && !r.url.startsWith('/api/docs'))
      // Not a list: it compares the runs its required `ids` name (bounded and checked by the backtest tests).
      .filter((r) => r.url !== '/api/backtests/compare')
      .map((r) => r.url);
    expect(lists).toEqual(expect.arrayContaining(['/api/orders', '/api/trades', '/api/logs', '/api/events', '/api/pnl/series']));
    const answers: string[] = [];
    for (const url of lists) {
      for (const param of PARAMS) {
        for (const value of HOSTILE) {
          const response = await http(server.url, 'GET', `${url}?${param}=${encodeURIComponent(value)}`);
          answers.push(`${response.status} ${url}?${param}=${value}`);
          if (response.status === 400) expect(JSON.stringify(response.body.message)).toContain(param);
        }
      }
    }
    expect(answers.filter((a) => !/^(200|400) /.test(a))).toEqual([]);
    // The probes the issue names: a 20-digit offset and beforeId are refused, not handed to the database.
    for (const probe of [
      '/api/orders?offset=99999999999999999999',
      '/api/trades?offset=99999999999999999999',
      '/api/logs?beforeId=99999999999999999999',
    ]) {
      expect((await http(server.url, 'GET', probe)).status).toBe(400);
    }
  }, 120_000);
});
