import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { RiskService } from '../../../apps/server/src/risk/risk.service.js';
import { createPostgresDatabase, dropRedisKeys, eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { installBrokerPlugin, lateFillingBroker } from '../../support/broker-plugin.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => dropRedisKeys(REDIS_URL, `on-their-way-${process.pid}-`));

/** Fills 6 s after its ack: long enough for a second process to start and act. */
const SLOW_FILLS = lateFillingBroker(6000);

/**
 * Two processes on one Redis and one database, each taking the queue's jobs: a market order one
 * of them sent (acked, its fill not reported yet) is in the other's view of the position too. Before,
 * each process counted only the orders it had sent itself: a flatten run by the other process found
 * nothing held and sent nothing, and the entry filled after it and stayed open; the strategy's next
 * alert, taken by the other process, was sized as if flat.
 */
describe.each(['sqlite', 'postgres'] as const)('market orders on their way, sent by another process (%s)', (kind) => {
  let first: TestServer;
  let second: TestServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  const plugins = mkdtempSync(join(tmpdir(), 'tradeloop-slow-fills-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-two-processes-'));
  let options: Parameters<typeof startServer>[0];

  beforeAll(async () => {
    installBrokerPlugin(plugins, 'slow-fills', SLOW_FILLS);
    const database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
    drop = database?.drop;
    options = {
      dataDir,
      databaseUrl: database?.url,
      redisUrl: REDIS_URL,
      overrides: {
        queue: { prefix: `on-their-way-${process.pid}-${kind}-${Date.now()}` },
        plugins: { dir: plugins, disabled: ['sim-feed'] },
      },
    };
    first = await startServer(options);
    first.app.get(MarketService).publish({ ticker: 'ES1!', bid: 6000, ask: 6000.25, time: Date.now() });
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await drop?.();
    for (const folder of [plugins, dataDir]) rmSync(folder, { recursive: true, force: true });
  });

  /** Once the two orders in `query` have filled: what was placed (sorted), and what is held. */
  const closedOut = async (query: string) => {
    const placed = await eventually(
      async () => {
        const list = (await http(first.url, 'GET', `/api/orders?${query}&limit=20`)).body.items as any[];
        return list.length === 2 && list.every((o) => o.status === 'filled') ? list.map((o) => [o.side, o.quantity]).sort() : undefined;
      },
      15_000,
      'both orders filled',
    );
    const held = ((await http(first.url, 'GET', `/api/positions?${query}&includeFlat=true`)).body as any[]).map((p) => p.quantity);
    return { placed, held };
  };

  it('sizes on, and flattens, an entry another process sent', async () => {
    const account = (await http(first.url, 'POST', '/api/accounts', { name: 'Slow', broker: 'slow-fills', brokerAccountId: 'S1' })).body;
    const strategy = (await http(first.url, 'POST', '/api/strategies', { name: 'entered elsewhere', accountId: account.id })).body;
    // Only the first process runs yet: it takes the entry's job and sends its buy.
    const sent = await http(first.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 2 });
    expect(sent.status).toBe(202);
    await eventually(
      async () => (await http(first.url, 'GET', `/api/events/${sent.body.eventId}`)).body.status === 'done',
      5_000,
      'the entry handled',
    );
    const entry = ((await http(first.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[])[0];
    expect([entry.side, entry.quantity, entry.status]).toEqual(['buy', 2, 'working']);

    second = await startServer(options);
    second.app.get(MarketService).publish({ ticker: 'ES1!', bid: 6000, ask: 6000.25, time: Date.now() });
    // What an alert, a script and a flatten are sized on, in the process that did not send the buy.
    expect(await second.app.get(RiskService).positionOnceFilled(account.id, strategy.id, 'ES1!')).toBe(2);

    // A flatten in the second process (each process runs its own commands): it closes the entry.
    const flat = await http(second.url, 'POST', '/api/positions/flatten', { strategyId: strategy.id });
    expect(flat.status).toBe(200);
    expect(flat.body.orders.map((o: any) => [o.side, o.quantity])).toEqual([['sell', 2]]);
    // Once more, in the first process: the second's close is on its way, so nothing is left to close.
    const again = await http(first.url, 'POST', '/api/positions/flatten', { strategyId: strategy.id });
    expect(again.body.orders).toEqual([]);
    expect(await first.app.get(RiskService).positionOnceFilled(account.id, strategy.id, 'ES1!')).toBe(0);

    expect(await closedOut(`strategyId=${strategy.id}`)).toEqual({
      placed: [
        ['buy', 2],
        ['sell', 2],
      ],
      held: [0],
    });
  }, 60_000);

  it('closes under the kill switch, engaged in one process, an entry the other sent', async () => {
    // A manual order runs in the process that took it (each runs its own commands): the first sends the buy.
    const account = (await http(first.url, 'POST', '/api/accounts', { name: 'Slow 2', broker: 'slow-fills', brokerAccountId: 'S2' })).body;
    const bought = await http(first.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'ES1!', side: 'buy', quantity: 2 });
    expect([bought.status, bought.body.status]).toEqual([201, 'working']);
    try {
      // The second closes it: on record only there, it is still a close, not a new short the kill switch refuses.
      second ??= await startServer(options);
      const killed = await http(second.url, 'POST', '/api/kill-switch', { reason: 'entry on its way elsewhere' });
      expect(killed.status).toBe(200);
      const closes = (killed.body.orders as any[]).filter((o) => o.accountId === account.id);
      expect(closes.map((o) => [o.side, o.quantity, o.status])).toEqual([['sell', 2, 'working']]);
      expect(await closedOut(`accountId=${account.id}`)).toEqual({
        placed: [
          ['buy', 2],
          ['sell', 2],
        ],
        held: [0],
      });
    } finally {
      await http(first.url, 'DELETE', '/api/kill-switch');
    }
  }, 60_000);
});
