import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PnlData } from '@tradeloop/contracts';
import { EventBus } from '../../../apps/server/src/infra/events/event-bus.js';
import { PnlRecorder, SCOPES_PER_TURN } from '../../../apps/server/src/pnl/pnl-recorder.service.js';
import { http, startServer, type TestServer } from '../../support/app.js';
import { fillBooker, quote } from '../../support/pnl.js';
import { turnCounter } from '../../support/turns.js';

const STRATEGIES = SCOPES_PER_TURN + 50;

/**
 * A pass over many moving strategies announces their P&L in pieces, a turn of the event loop
 * between them (a thousand strategies' messages in one turn held every waiting webhook for most of
 * the pass). Every scope still gets exactly one message and one recorded state a pass.
 */
describe('a P&L pass over many strategies', () => {
  let server: TestServer;
  let accountId: string;
  const strategies: string[] = [];

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] }, pnl: { recorder: false } } });
    accountId = (await http(server.url, 'GET', '/api/accounts')).body[0].id;
    for (let i = 0; i < STRATEGIES; i += 25) {
      const made = await Promise.all(
        Array.from(
          { length: Math.min(25, STRATEGIES - i) },
          async (_, k) => (await http(server.url, 'POST', '/api/strategies', { name: `piece ${i + k}` })).body.id as string,
        ),
      );
      strategies.push(...made);
    }
    const at = Date.now() - 60_000;
    const book = fillBooker(server);
    for (const [i, strategyId] of strategies.entries())
      await book({ strategyId, accountId, ticker: 'NQ1!', side: i % 2 ? 'sell' : 'buy', quantity: 1, price: 25_000, time: at });
  }, 60_000);
  afterAll(() => server?.close());

  it(`records and announces ${STRATEGIES} moving strategies in pieces of at most ${SCOPES_PER_TURN}, a turn apart`, async () => {
    const bus = server.app.get(EventBus);
    const recorder = server.app.get(PnlRecorder);
    const pass = async (bid: number, at: number) => {
      quote(server, 'NQ1!', bid, bid + 0.25);
      const turns = turnCounter();
      const heard: { turn: number; data: PnlData }[] = [];
      const stop = bus.subscribe((m) => {
        if (m.type === 'PNL' && bus.relayable(m)) heard.push({ turn: turns.turn, data: m.data });
      });
      try {
        const result = await recorder.recordPass(at);
        return { result, heard };
      } finally {
        stop();
        turns.stop();
      }
    };

    const now = Date.now();
    for (const [n, bid] of [25_001, 25_002].entries()) {
      const { result, heard } = await pass(bid, now + n * 1000);
      const strategyScopes = heard.filter((h) => h.data.scope === 'strategy');
      expect(new Set(strategyScopes.map((h) => h.data.id))).toEqual(new Set(strategies));
      expect(strategyScopes).toHaveLength(STRATEGIES);
      expect(result!.recorded).toBe(heard.length);
      const perTurn = new Map<number, number>();
      for (const h of heard) perTurn.set(h.turn, (perTurn.get(h.turn) ?? 0) + 1);
      expect(perTurn.size).toBe(Math.ceil(heard.length / SCOPES_PER_TURN));
      for (const count of perTurn.values()) expect(count).toBeLessThanOrEqual(SCOPES_PER_TURN);
      // Longs at the bid, shorts at the ask: NQ is $5 a 0.25 tick from 25,000.
      const open = (i: number) => heard.find((h) => h.data.scope === 'strategy' && h.data.id === strategies[i])!.data.openPnl;
      const ticks = (bid - 25_000) / 0.25;
      expect([open(0), open(1)]).toEqual([ticks * 5, -(ticks + 1) * 5]);
    }
  });
});
