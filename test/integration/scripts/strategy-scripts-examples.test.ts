import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, logs, orders, savedState, scriptsDir, settled } from '../../support/scripts.js';

/** The examples exactly as shipped in strategies/, run against the seeded simulated feed and the paper broker. */
const example = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', '..', 'strategies', name), 'utf8');

describe('example strategies against the simulated feed', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = scriptsDir({
      'session-filter.ts': example('session-filter.ts'),
      'breakout.ts': example('breakout.ts'),
      'bracket-helper.ts': example('bracket-helper.ts'),
    });
    // Seeded: the same walk every run (startServer sets seed 42, 20 quotes a second).
    server = await startServer({ overrides: { strategies: { dir } } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('session filter: trades only inside the window and caps the position', async () => {
    const strategy = await createScripted(server, {
      name: 'session filter',
      script: 'session-filter.ts',
      params: { sessionStart: '13:30', sessionEnd: '20:00', maxPosition: 2 },
    });
    const send = async (alert: Record<string, unknown>) => {
      const sent = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', ...alert });
      expect(sent.status).toBe(202);
      return settled(server, strategy.id, sent.body.eventId);
    };
    await send({ action: 'buy', quantity: 5, time: '2026-11-25T14:00:00Z' });
    await send({ action: 'buy', quantity: 1, time: '2026-11-25T15:00:00Z' });
    await send({ action: 'sell', quantity: 1, time: '2026-11-25T21:00:00Z' });
    await send({ action: 'sell', quantity: 3, time: '2026-11-25T15:30:00Z' });
    expect((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body).toEqual([
      expect.objectContaining({ ticker: 'NQ1!', quantity: -1 }),
    ]);
    await send({ action: 'exit', time: '2026-11-25T16:00:00Z' });

    const placed = (await orders(server, strategy.id)).reverse();
    expect(placed.map((o) => [o.side, o.quantity, o.status])).toEqual([
      ['buy', 2, 'filled'],
      ['sell', 3, 'filled'],
      ['buy', 1, 'filled'],
    ]);
    const lines = (await logs(server, strategy.id)).map((l) => l.message);
    expect(lines).toEqual(
      expect.arrayContaining([
        'onWebhook: buy 5 capped to 2 (cap 2)',
        'onWebhook: buy 1 ignored: position 2 is at the cap of 2',
        'onWebhook: outside 13:30-20:00 UTC: sell ignored',
      ]),
    );
    expect((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body).toEqual([]);
  });

  it('breakout: enters on a new high of the window and leaves on the trailing stop', async () => {
    const strategy = await createScripted(server, { name: 'breakout', script: 'breakout.ts', params: { lookback: 5, trailTicks: 2 } });
    const [entry, exit] = await eventually(
      async () => {
        const placed = (await orders(server, strategy.id)).reverse();
        return placed.length >= 2 && placed[1]!.status === 'filled' ? placed : undefined;
      },
      30000,
      'an entry and an exit',
    );
    expect([entry!.side, entry!.quantity, entry!.type, entry!.status]).toEqual(['buy', 1, 'market', 'filled']);
    expect([exit!.side, exit!.quantity, exit!.type, exit!.status]).toEqual(['sell', 1, 'market', 'filled']);

    const lines = (await logs(server, strategy.id)).map((l) => l.message).reverse();
    const breakout = lines.find((l) => l.startsWith('onTick: breakout:'))!;
    const [, ask, high] = /ask (\S+) > 5-quote high (\S+)$/.exec(breakout)!;
    expect(Number(ask)).toBeGreaterThan(Number(high));
    const stop = lines.find((l) => l.startsWith('onTick: exit:'))!;
    const [, bid, level, peak] = /bid (\S+) <= stop (\S+) \(peak (\S+)\)$/.exec(stop)!;
    // Two ticks of 0.25 under the best bid since the entry, and the bid at or below it.
    expect(Number(level)).toBe(Number(peak) - 0.5);
    expect(Number(bid)).toBeLessThanOrEqual(Number(level));
    expect(Number(peak)).toBeGreaterThanOrEqual(entry!.avgFillPrice! - 0.25);
    // The trade the two orders made is on the ledger, to the cent.
    const trades = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body.items as any[];
    const first = trades[trades.length - 1];
    expect([first.entryPrice, first.exitPrice]).toEqual([entry!.avgFillPrice, exit!.avgFillPrice]);
    expect(first.pnl).toBe(((exit!.avgFillPrice! - entry!.avgFillPrice!) / 0.25) * 5);
  });

  it('bracket helper: the entry fills, its take profit and stop loss follow at the right prices, one cancels the other', async () => {
    const strategy = await createScripted(server, {
      name: 'brackets',
      script: 'bracket-helper.ts',
      params: { takeProfitTicks: 3, stopLossTicks: 3 },
    });
    const sent = await hook(server, strategy.webhookToken, { ticker: 'ES1!', action: 'buy' });
    await settled(server, strategy.id, sent.body.eventId);
    const eventId = sent.body.eventId as string;

    const placed = await eventually(
      async () => {
        const all = await orders(server, strategy.id);
        const legs = all.filter((o) => o.clientOrderId.includes(':tp') || o.clientOrderId.includes(':sl'));
        return legs.length === 2 && legs.every((o) => o.status === 'filled' || o.status === 'cancelled') ? all : undefined;
      },
      30000,
      'one leg to fill and the other to be cancelled',
    );
    const byId = Object.fromEntries(placed.map((o) => [o.clientOrderId, o]));
    const entry = byId[`${eventId}:1`]!;
    const tp = byId[`${eventId}:1:tp1`]!;
    const sl = byId[`${eventId}:1:sl1`]!;
    expect([entry.side, entry.quantity, entry.status]).toEqual(['buy', 1, 'filled']);
    expect([tp.side, tp.type, tp.limitPrice]).toEqual(['sell', 'limit', entry.avgFillPrice! + 0.75]);
    expect([sl.side, sl.type, sl.stopPrice]).toEqual(['sell', 'stop', entry.avgFillPrice! - 0.75]);
    expect([tp.status, sl.status].sort()).toEqual(['cancelled', 'filled']);

    await eventually(
      async () => (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body.length === 0,
      10000,
      'flat',
    );
    const won = tp.status === 'filled';
    const state = await eventually(
      async () => {
        const s = (await savedState(server, strategy.id)) as { wins: number; losses: number } | null;
        return s && s.wins + s.losses === 1 ? s : undefined;
      },
      10000,
      'onFill to count the leg',
    );
    expect(state).toEqual(won ? { wins: 1, losses: 0 } : { wins: 0, losses: 1 });
    const lines = (await logs(server, strategy.id)).map((l) => l.message);
    expect(lines.some((l) => l.startsWith(`onFill: ${won ? 'takeProfit' : 'stopLoss'} filled at`))).toBe(true);
  });

  it('bracket helper: exit closes the position and cancels both legs', async () => {
    const strategy = await createScripted(server, {
      name: 'brackets wide',
      script: 'bracket-helper.ts',
      params: { takeProfitTicks: 400, stopLossTicks: 400 },
    });
    const buy = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'buy', quantity: 2 });
    await settled(server, strategy.id, buy.body.eventId);
    await eventually(
      async () => (await orders(server, strategy.id)).filter((o) => o.status === 'working').length === 2,
      10000,
      'both legs working',
    );
    const exit = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'exit' });
    await settled(server, strategy.id, exit.body.eventId);
    const all = await orders(server, strategy.id);
    expect(all.map((o) => [o.clientOrderId.replace(/^[^:]+/, 'event'), o.side, o.quantity, o.status]).sort()).toEqual(
      [
        ['event:1', 'buy', 2, 'filled'],
        ['event:1:sl1', 'sell', 2, 'cancelled'],
        ['event:1:tp1', 'sell', 2, 'cancelled'],
        ['event:1', 'sell', 2, 'filled'],
      ].sort(),
    );
    expect((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body).toEqual([]);
  });
});
