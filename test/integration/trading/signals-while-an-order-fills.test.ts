import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';
import { installBrokerPlugin, lateFillingBroker, serverWithBrokers } from '../../support/broker-plugin.js';
import { createScripted, hook, logs, orders, scriptsDir, settled } from '../../support/scripts.js';

/** Fills 300 ms after its ack, as a real broker does, late. */
const LATE_BROKER = lateFillingBroker(300);

/**
 * An alert that comes while the last one's market order is still on its way — acked, its fill not
 * reported yet — is sized on the position that order will leave, not on the one on record. Before,
 * a second `positionSize: 2` bought 2 more (4 held), and a second exit sold again what the first
 * had sold (a long of 4 became a short of 4): TradingView sends alerts a moment apart, and brokers
 * report fills a moment after their ack.
 */
describe.each(['sqlite', 'postgres'] as const)('alerts while the last order has not filled yet (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let account: { id: string };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'late-broker': LATE_BROKER }));
    server.app.get(MarketService).publish({ ticker: 'ES1!', bid: 6000, ask: 6000.25, time: Date.now() });
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Late', broker: 'late-broker', brokerAccountId: 'L1' })).body;
  });
  afterAll(async () => {
    await close?.();
  });

  it('holds a target position once however often it is sent, and exits once however often exit is sent', async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'late fills', accountId: account.id })).body;
    /** Sends the alerts one after another (each answered before the next), then waits until they are handled and every fill is in. */
    const send = async (...alerts: object[]) => {
      const ids: string[] = [];
      for (const alert of alerts) {
        const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', ...alert });
        expect(sent.status).toBe(202);
        ids.push(sent.body.eventId);
      }
      for (const id of ids)
        await eventually(async () => (await http(server.url, 'GET', `/api/events/${id}`)).body.status === 'done', 10_000, `event ${id}`);
      const orders = await eventually(
        async () => {
          const list = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=50`)).body.items as {
            eventId: string;
            side: string;
            quantity: number;
            status: string;
          }[];
          return list.every((o) => o.status === 'filled') ? list : undefined;
        },
        10_000,
        'every order filled',
      );
      const position = ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[])[0]
        ?.quantity;
      return { position, placed: orders.filter((o) => ids.includes(o.eventId)).map((o) => [o.side, o.quantity]) };
    };

    expect(await send({ positionSize: 2, id: 'first' }, { positionSize: 2, id: 'again' })).toEqual({ position: 2, placed: [['buy', 2]] });
    expect(await send({ action: 'buy', quantity: 2 }, { action: 'exit' }, { action: 'exit', id: 'exit again' })).toEqual({
      position: 0,
      placed: [
        ['sell', 4],
        ['buy', 2],
      ],
    });
  });

  it('flattens an entry still on its way, where nothing is held yet: a strategy, then an account', async () => {
    // A buy acked and not yet filled (its fill comes 300 ms later), then a flatten: a trader's
    // click, a rule that locks the account, the kill switch. Before, the flatten looked at the
    // positions on record alone, found none, and the entry filled after it and stayed open.
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'flattened early', accountId: account.id })).body;
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 2 });
    await eventually(
      async () => (await http(server.url, 'GET', `/api/events/${sent.body.eventId}`)).body.status === 'done',
      5_000,
      'the entry',
    );
    const flat = await http(server.url, 'POST', '/api/positions/flatten', { strategyId: strategy.id });
    expect(flat.status).toBe(200);
    expect(flat.body.orders.map((o: any) => [o.side, o.quantity])).toEqual([['sell', 2]]);
    const filled = async (query: string) =>
      eventually(
        async () => {
          const list = (await http(server.url, 'GET', `/api/orders?${query}&limit=20`)).body.items as any[];
          return list.every((o) => o.status === 'filled') ? list.map((o) => [o.side, o.quantity]).sort() : undefined;
        },
        5_000,
        'every order filled',
      );
    expect(await filled(`strategyId=${strategy.id}`)).toEqual([
      ['buy', 2],
      ['sell', 2],
    ]);
    const held = async (query: string) =>
      ((await http(server.url, 'GET', `/api/positions?${query}&includeFlat=true`)).body as any[]).map((p) => p.quantity);
    expect(await held(`strategyId=${strategy.id}`)).toEqual([0]);

    // A manual order on an account of its own, then the account flattened, twice: the second
    // sees the first's close on its way and sends nothing.
    const other = (await http(server.url, 'POST', '/api/accounts', { name: 'Late 5', broker: 'late-broker', brokerAccountId: 'L5' })).body;
    const manual = await http(server.url, 'POST', '/api/orders', { accountId: other.id, ticker: 'ES1!', side: 'sell', quantity: 3 });
    expect(manual.status).toBe(201);
    const flattens = [];
    for (let i = 0; i < 2; i++) flattens.push(await http(server.url, 'POST', '/api/positions/flatten', { accountId: other.id }));
    expect(flattens.map((f) => f.body.orders.map((o: any) => [o.side, o.quantity]))).toEqual([[['buy', 3]], []]);
    expect(await filled(`accountId=${other.id}`)).toEqual([
      ['buy', 3],
      ['sell', 3],
    ]);
    expect(await held(`accountId=${other.id}`)).toEqual([0]);
  });

  it('reverses what will be held once the last reverse fills: clicked twice, the position turns back', async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'reversed twice', accountId: account.id })).body;
    const position = async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[])[0]?.quantity;
    await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 2 });
    await eventually(async () => (await position()) === 2, 5_000, 'the long of 2');
    const reversals = [];
    for (let i = 0; i < 2; i++)
      reversals.push(await http(server.url, 'POST', '/api/positions/reverse', { strategyId: strategy.id, ticker: 'ES1!' }));
    expect(reversals.map((r) => [r.status, r.body.side, r.body.quantity])).toEqual([
      [200, 'sell', 4],
      [200, 'buy', 4],
    ]);
    await eventually(
      async () =>
        ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=20`)).body.items as any[]).every(
          (o) => o.status === 'filled',
        ),
      5_000,
      'every order filled',
    );
    expect(await position()).toBe(2);
  });

  it('closes under the kill switch an entry still on its way: its close is no new exposure', async () => {
    // The kill switch refuses every order that opens or grows a position. Before, the close of a
    // buy acked and not yet filled was taken for a new short (nothing held on record yet) and
    // refused, and the entry filled after it and stayed open with the kill switch engaged.
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'killed early', accountId: account.id })).body;
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 2 });
    await eventually(
      async () => (await http(server.url, 'GET', `/api/events/${sent.body.eventId}`)).body.status === 'done',
      5_000,
      'the entry',
    );
    try {
      const killed = await http(server.url, 'POST', '/api/kill-switch', { reason: 'entry on its way' });
      expect(killed.status).toBe(200);
      const closes = (killed.body.orders as any[]).filter((o) => o.strategyId === strategy.id);
      expect(closes.map((o) => [o.side, o.quantity, o.status])).toEqual([['sell', 2, 'working']]);
      // Once more while the close is on its way: nothing left to close, and nothing refused.
      const again = await http(server.url, 'POST', '/api/positions/flatten', { strategyId: strategy.id });
      expect(again.body.orders).toEqual([]);
      const placed = await eventually(
        async () => {
          const list = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=20`)).body.items as any[];
          return list.every((o) => o.status === 'filled') ? list.map((o) => [o.side, o.quantity]).sort() : undefined;
        },
        5_000,
        'every order filled',
      );
      expect(placed).toEqual([
        ['buy', 2],
        ['sell', 2],
      ]);
      const held = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[];
      expect(held.map((p) => p.quantity)).toEqual([0]);
      // What it never allows is still refused: a new entry.
      const opened = await http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'ES1!', side: 'buy', quantity: 1 });
      expect(opened.body.status).toBe('rejected');
      expect(opened.body.reason).toMatch(/kill switch is engaged/);
    } finally {
      await http(server.url, 'DELETE', '/api/kill-switch');
    }
  });
});

/** Buys on a buy alert, flattens on any other. */
const FLATTENER = `
export default defineStrategy({
  onWebhook(alert, ctx) {
    if (alert.action === 'buy') ctx.buy(alert.ticker, alert.quantity ?? 1);
    else ctx.flatten(alert.ticker);
  },
});
`;

/** Enters 2 once, sizing on what is filled and what is on its way; says what it sees. */
const ENTER_ONCE = `
export default defineStrategy({
  onWebhook(alert, ctx) {
    const { quantity, pending } = ctx.position(alert.ticker);
    ctx.log('info', 'sees ' + quantity + ' filled, ' + pending + ' on its way');
    if (quantity + pending === 0) ctx.buy(alert.ticker, 2);
  },
});
`;

/**
 * A script's `flatten` closes what the position will hold once the market orders sent for it have
 * filled: called again before the last close's fill came (two exit alerts a moment apart), it
 * sends nothing. Before, it closed the position on record again, and a long of 2 became a short of 2.
 */
describe.each(['sqlite', 'postgres'] as const)('a script while its orders have not filled yet (%s)', (kind) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  const plugins = mkdtempSync(join(tmpdir(), 'tradeloop-late-'));
  const dir = scriptsDir({ 'flattener.ts': FLATTENER, 'enter-once.ts': ENTER_ONCE });

  beforeAll(async () => {
    installBrokerPlugin(plugins, 'late-broker', LATE_BROKER);
    const database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
    drop = database?.drop;
    server = await startServer({
      databaseUrl: database?.url,
      overrides: { plugins: { dir: plugins, disabled: ['sim-feed'] }, strategies: { dir } },
    });
    server.app.get(MarketService).publish({ ticker: 'ES1!', bid: 6000, ask: 6000.25, time: Date.now() });
  });
  afterAll(async () => {
    await server.close();
    await drop?.();
    for (const folder of [plugins, dir]) rmSync(folder, { recursive: true, force: true });
  });

  it('closes once', async () => {
    const account = (await http(server.url, 'POST', '/api/accounts', { name: 'Late', broker: 'late-broker', brokerAccountId: 'L2' })).body;
    const strategy = await createScripted(server, { name: 'flattener', accountId: account.id, script: 'flattener.ts' });
    const position = async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[])[0]?.quantity;
    const bought = await hook(server, strategy.webhookToken, { ticker: 'ES1!', action: 'buy', quantity: 2 });
    await settled(server, strategy.id, bought.body.eventId);
    await eventually(async () => (await position()) === 2, 5_000, 'the long of 2');

    const exits = [];
    for (const id of ['exit', 'exit again']) exits.push(await hook(server, strategy.webhookToken, { ticker: 'ES1!', action: 'exit', id }));
    for (const exit of exits) await settled(server, strategy.id, exit.body.eventId);
    await eventually(async () => (await orders(server, strategy.id)).every((o) => o.status === 'filled'), 5_000, 'every order filled');
    expect(await position()).toBe(0);
    expect((await orders(server, strategy.id)).filter((o) => o.side === 'sell').map((o) => o.quantity)).toEqual([2]);
  });

  it('closes an entry still on its way, where nothing is held yet', async () => {
    // An entry alert, then its exit a moment later: the buy is acked, its fill comes 300 ms
    // later. Before, the flatten looked at the positions on record alone, found none, said
    // "already flat", and the long of 2 filled after it and stayed open.
    const account = (await http(server.url, 'POST', '/api/accounts', { name: 'Late 4', broker: 'late-broker', brokerAccountId: 'L4' }))
      .body;
    const strategy = await createScripted(server, { name: 'in and out', accountId: account.id, script: 'flattener.ts' });
    const sent = [];
    for (const alert of [{ action: 'buy', quantity: 2 }, { action: 'exit' }])
      sent.push(await hook(server, strategy.webhookToken, { ticker: 'ES1!', ...alert }));
    for (const alert of sent) await settled(server, strategy.id, alert.body.eventId);
    await eventually(async () => (await orders(server, strategy.id)).every((o) => o.status === 'filled'), 5_000, 'every order filled');
    const placed = await orders(server, strategy.id);
    expect(placed.map((o) => [o.side, o.quantity]).sort()).toEqual([
      ['buy', 2],
      ['sell', 2],
    ]);
    const position = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[];
    expect(position.map((p) => p.quantity)).toEqual([0]);
  });

  it("shows a script the orders on their way (ctx.position's pending), so it can enter once", async () => {
    const account = (await http(server.url, 'POST', '/api/accounts', { name: 'Late 3', broker: 'late-broker', brokerAccountId: 'L3' }))
      .body;
    const strategy = await createScripted(server, { name: 'enter once', accountId: account.id, script: 'enter-once.ts' });
    const sent = [];
    for (const id of ['one', 'two']) sent.push(await hook(server, strategy.webhookToken, { ticker: 'ES1!', action: 'buy', id }));
    for (const alert of sent) await settled(server, strategy.id, alert.body.eventId);
    await eventually(async () => (await orders(server, strategy.id)).every((o) => o.status === 'filled'), 5_000, 'every order filled');
    expect((await orders(server, strategy.id)).map((o) => [o.side, o.quantity])).toEqual([['buy', 2]]);
    const seen = (await logs(server, strategy.id))
      .filter((l) => l.message.includes(' on its way'))
      .map((l) => l.message.replace(/^.*: /, ''));
    expect(seen.reverse()).toEqual(['sees 0 filled, 0 on its way', 'sees 0 filled, 2 on its way']);
  });
});
