import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Quote } from '@tradeloop/contracts';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';

const quote = (ticker: string, bid: number, ask: number): Quote => ({ ticker, bid, ask, time: Date.now() });

/**
 * A bracket's two exits close the same contracts, so at most one of them may fill, and never for
 * more than the position holds.
 * - Given as prices they can be stated the wrong way round (a long's take profit under its stop),
 *   and then every price between the two fills both: the paper broker, like an exchange, fills a
 *   limit the market is through and triggers a stop it is past the moment each is placed. Before,
 *   both were placed and both filled, and the long of 1 became a short of 1.
 * - A take profit the market is already through fills as it is placed; a stop sent after it would
 *   only have to be cancelled again.
 * - An order that is no leg (a partial sell) leaves the position smaller than its exits: before,
 *   a long of 2 sold down to 1 kept a stop for 2, which would have turned it short.
 */
describe.each(['sqlite', 'postgres'] as const)("a bracket's exits never close more than is held (%s)", (kind) => {
  let server: TestServer;
  let market: MarketService;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
    drop = database?.drop;
    server = await startServer({ databaseUrl: database?.url, overrides: { plugins: { disabled: ['sim-feed'] } } });
    market = server.app.get(MarketService);
  });
  afterAll(async () => {
    await server.close();
    await drop?.();
  });

  /** A strategy of its own per case, an alert to it, and what became of it once its event is done. */
  async function trade(name: string, alert: object) {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name })).body;
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'MES1!', ...alert });
    expect(sent.status).toBe(202);
    await eventually(
      async () => (await http(server.url, 'GET', `/api/events/${sent.body.eventId}`)).body.status === 'done',
      10000,
      'the alert handled',
    );
    const orders = async () =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=20`)).body.items as any[]).map((o) => ({
        leg: o.clientOrderId.slice(sent.body.eventId.length + 1),
        side: o.side,
        quantity: o.quantity,
        price: o.limitPrice ?? o.stopPrice,
        status: o.status,
      }));
    const bracketLines = async () =>
      ((await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=50`)).body as any[]).filter((l) =>
        l.message.startsWith('bracket for'),
      );
    // The legs are placed after the entry's fill, not with its event: its line says they were.
    // (Before they exist, "every order at rest" holds of the entry alone.)
    await eventually(async () => (await bracketLines()).length > 0 || undefined, 10000, 'the bracket placed');
    // Nothing pending or working is left: every leg has come to rest.
    await eventually(async () => (await orders()).every((o) => o.status !== 'pending' && o.status !== 'working'), 10000, 'legs at rest');
    const positions = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[];
    return { orders: await orders(), position: positions[0]?.quantity, lines: await bracketLines() };
  }

  it("places only the stop of a long's exits given the wrong way round, and the position ends flat, not short", async () => {
    market.publish(quote('MES1!', 6800, 6800.25));
    const { orders, position, lines } = await trade('long crossed', {
      action: 'buy',
      quantity: 1,
      takeProfit: { price: 6790 },
      stopLoss: { price: 6810 },
    });
    expect(position).toBe(0);
    // The stop was already past: it fills as it is placed, at the bid.
    expect(orders.filter((o) => o.leg !== '1')).toEqual([{ leg: '1:sl1', side: 'sell', quantity: 1, price: 6810, status: 'filled' }]);
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('error');
    expect(lines[0].message).toContain('take profit sell 1 @ 6790 not placed: it is at or below the stop loss @ 6810, so both would fill');
  });

  it("places only the stop of a short's exits given the wrong way round, and the position ends flat, not long", async () => {
    market.publish(quote('MES1!', 6800, 6800.25));
    const { orders, position, lines } = await trade('short crossed', {
      action: 'sell',
      quantity: 2,
      takeProfit: { price: 6810 },
      stopLoss: { price: 6790 },
    });
    expect(position).toBe(0);
    expect(orders.filter((o) => o.leg !== '1')).toEqual([{ leg: '1:sl1', side: 'buy', quantity: 2, price: 6790, status: 'filled' }]);
    expect(lines[0].message).toContain('take profit buy 2 @ 6810 not placed: it is at or above the stop loss @ 6790');
  });

  it('sends no stop after a take profit that filled as it was placed', async () => {
    market.publish(quote('MES1!', 6800, 6800.25));
    // In the right order, but the market is already above the take profit: it fills at once.
    const { orders, position, lines } = await trade('target passed', {
      action: 'buy',
      quantity: 2,
      takeProfit: { price: 6795 },
      stopLoss: { price: 6780 },
    });
    expect(position).toBe(0);
    expect(orders.filter((o) => o.leg !== '1')).toEqual([{ leg: '1:tp1', side: 'sell', quantity: 2, price: 6795, status: 'filled' }]);
    expect(lines[0].level).toBe('info');
    expect(lines[0].message).toContain('stop loss not placed: the take profit filled as it was placed');
  });

  it('still places both exits when they are the right way round and the market is between them', async () => {
    market.publish(quote('MES1!', 6800, 6800.25));
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'both working' })).body;
    await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'MES1!',
      action: 'buy',
      quantity: 1,
      takeProfit: { price: 6810 },
      stopLoss: { price: 6790 },
    });
    const working = await eventually(async () => {
      const list = ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items as any[]).map(
        (o) => [o.type, o.limitPrice ?? o.stopPrice],
      );
      return list.length === 2 ? list : undefined;
    });
    expect(Object.fromEntries(working)).toEqual({ limit: 6810, stop: 6790 });
  });

  it('cuts the exits to what is left when another order sells part of the position, so the stop cannot turn it short', async () => {
    market.publish(quote('MES1!', 6800, 6800.25));
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'part sold' })).body;
    const hook = (body: object) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'MES1!', ...body });
    const working = async () =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items as any[])
        .map((o) => [o.type, o.side, o.quantity, o.limitPrice ?? o.stopPrice])
        .sort();
    const position = async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[])[0]?.quantity;

    await hook({ action: 'buy', quantity: 2, takeProfit: { price: 6810 }, stopLoss: { price: 6790 } });
    await eventually(async () => (await working()).length === 2, 5_000, 'the exits working');
    await hook({ action: 'sell', quantity: 1 });
    await eventually(async () => (await position()) === 1, 5_000, 'one sold');
    const cut = await eventually(
      async () => {
        const list = await working();
        return list.length === 2 && list.every((o) => o[2] === 1) ? list : undefined;
      },
      5_000,
      'the exits cut to 1',
    );
    expect(cut).toEqual([
      ['limit', 'sell', 1, 6810],
      ['stop', 'sell', 1, 6790],
    ]);
    // The market falls through the stop: it sells the one left, and the take profit goes with it.
    market.publish(quote('MES1!', 6789, 6789.25));
    await eventually(async () => (await working()).length === 0, 5_000, 'nothing working');
    expect(await position()).toBe(0);
  });

  it("keeps the oldest entry's exits and cancels the newer ones' when part of a position of two brackets is sold", async () => {
    market.publish(quote('MES1!', 6800, 6800.25));
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'two brackets, one sold' })).body;
    const hook = (body: object) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'MES1!', ...body });
    const working = async () =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items as any[])
        .map((o) => [o.type, o.quantity, o.limitPrice ?? o.stopPrice])
        .sort();
    const position = async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[])[0]?.quantity;

    await hook({ action: 'buy', quantity: 1, takeProfit: { price: 6810 }, stopLoss: { price: 6790 } });
    await eventually(async () => (await working()).length === 2, 5_000, 'the first exits');
    await hook({ action: 'add', quantity: 1, takeProfit: { price: 6812 }, stopLoss: { price: 6788 } });
    await eventually(async () => (await working()).length === 4, 5_000, 'the second exits');
    await hook({ action: 'sell', quantity: 1 });
    await eventually(async () => (await position()) === 1 && (await working()).length === 2, 5_000, 'the newer exits cancelled');
    expect(await working()).toEqual([
      ['limit', 1, 6810],
      ['stop', 1, 6790],
    ]);
    market.publish(quote('MES1!', 6789, 6789.25));
    await eventually(async () => (await working()).length === 0, 5_000, 'nothing working');
    expect(await position()).toBe(0);
  });
});
