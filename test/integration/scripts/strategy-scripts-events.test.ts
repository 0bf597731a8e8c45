import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, logs, savedState, scriptsDir, settled } from '../../support/scripts.js';

const TICKS = `
export default defineStrategy({
  tickers: ['CME_MINI:ES1!'],
  state: { ticks: 0, bad: 0, last: 0, viaCtx: 0, step: 0 },
  onTick(quote, ctx) {
    ctx.state.ticks += 1;
    if (quote.ticker !== 'ES1!' || quote.ask - quote.bid !== quote.step) ctx.state.bad += 1;
    ctx.state.last = quote.bid;
    ctx.state.step = quote.step;
    // The declared spelling reads the same quote through ctx.
    ctx.state.viaCtx = ctx.quote('CME_MINI:ES1!')?.bid ?? -1;
  },
});
`;

const BURST = `
export default defineStrategy({
  tickers: ['ES1!'],
  state: { calls: 0, burst: 0, sawLast: false },
  onTick(quote, ctx) {
    ctx.state.calls += 1;
    if (quote.bid >= 90000) ctx.state.burst += 1;
    if (quote.bid === 90000 + 499 * 0.25) ctx.state.sawLast = true;
  },
});
`;

const TIMER = `
export default defineStrategy({
  every: '1s',
  state: { fired: [] as number[], nows: [] as number[] },
  async onTimer(now, ctx) {
    await Promise.resolve();
    ctx.state.fired.push(now);
    ctx.state.nows.push(ctx.now());
  },
});
`;

const FILLS = `
export default defineStrategy({
  state: { fills: [] as string[] },
  onWebhook(alert, ctx) {
    ctx.buy(alert.ticker, 2);
  },
  onFill(fill, ctx) {
    ctx.state.fills.push([fill.side, fill.quantity, fill.ticker, fill.role, fill.position, ctx.position(fill.ticker).quantity].join(' '));
  },
});
`;

/** Ticks, timers and fills reach scripts through the event queue, with the simulated feed on. */
describe('script events: ticks, timers, fills', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = scriptsDir({ 'ticks.ts': TICKS, 'timer.ts': TIMER, 'fills.ts': FILLS });
    server = await startServer({ overrides: { strategies: { dir } } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the quotes of a declared ticker to onTick, with the tick size and the same quote through ctx', async () => {
    const published: number[] = [];
    const stop = server.app.get(MarketService).onQuote((q) => q.ticker === 'ES1!' && published.push(q.bid));
    const strategy = await createScripted(server, { name: 'ticks', script: 'ticks.ts' });
    const state = await eventually(
      async () => {
        const s = (await savedState(server, strategy.id)) as { ticks: number } | null;
        return s && s.ticks >= 10 ? s : undefined;
      },
      15000,
      'ten ticks',
    );
    stop();
    expect(state).toEqual(expect.objectContaining({ bad: 0, step: 0.25 }));
    const s = state as unknown as { last: number; viaCtx: number; ticks: number };
    expect(s.viaCtx).toBe(s.last);
    expect(published).toContain(s.last);
    // Conflated, never more calls than quotes.
    expect(s.ticks).toBeLessThanOrEqual(published.length + 1);
  });

  it('runs onTimer on its schedule, on whole seconds, with ctx.now() the scheduled time', async () => {
    const strategy = await createScripted(server, { name: 'timer', script: 'timer.ts' });
    const state = (await eventually(
      async () => {
        const s = (await savedState(server, strategy.id)) as { fired: number[] } | null;
        return s && s.fired.length >= 3 ? s : undefined;
      },
      15000,
      'three timer runs',
    )) as { fired: number[]; nows: number[] };
    expect(state.fired.every((t) => t % 1000 === 0)).toBe(true);
    expect(state.nows).toEqual(state.fired);
    // Whole seconds apart, in order (a loaded machine may run a timer late enough to skip one).
    const gaps = state.fired.slice(1).map((t, i) => t - state.fired[i]!);
    expect(gaps.every((gap) => gap > 0 && gap % 1000 === 0)).toBe(true);
  });

  it('tells onFill about each fill of its orders, after the ledger booked it', async () => {
    const strategy = await createScripted(server, { name: 'fills', script: 'fills.ts' });
    const sent = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy' });
    await settled(server, strategy.id, sent.body.eventId);
    const state = await eventually(
      async () => {
        const s = (await savedState(server, strategy.id)) as { fills: string[] } | null;
        return s && s.fills.length ? s : undefined;
      },
      10000,
      'the fill to reach the script',
    );
    expect(state).toEqual({ fills: ['buy 2 NQ1! order 2 2'] });
    expect((await logs(server, strategy.id)).filter((l) => l.level === 'error')).toEqual([]);
  });
});

/** With the in-process queue, quotes that come while a strategy's tick waits are conflated into it. */
describe('script ticks: conflation', () => {
  let server: TestServer;
  let dir: string;
  let market: MarketService;

  beforeAll(async () => {
    dir = scriptsDir({ 'burst.ts': BURST });
    // No simulated feed: the only quotes are the test's.
    server = await startServer({ overrides: { strategies: { dir }, plugins: { disabled: ['sim-feed'] } } });
    market = server.app.get(MarketService);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands a tick that waited the newest quote of its ticker: a burst of quotes costs a call or two', async () => {
    const strategy = await createScripted(server, { name: 'burst', script: 'burst.ts' });
    await eventually(
      async () => {
        // Until the strategy follows the ticker (it does once its script is loaded), quotes reach nobody.
        market.publish({ ticker: 'ES1!', bid: 7000, ask: 7000.25, time: Date.now() });
        return (((await savedState(server, strategy.id)) as { calls: number } | null)?.calls ?? 0) >= 1;
      },
      15000,
      'a first tick',
    );
    // 500 quotes in one turn of the event loop: the strategy's tick waits meanwhile.
    for (let i = 0; i < 500; i++) {
      const bid = 90000 + i * 0.25;
      market.publish({ ticker: 'ES1!', bid, ask: bid + 0.25, time: Date.now() });
    }
    const state = (await eventually(
      async () => {
        const s = (await savedState(server, strategy.id)) as { sawLast: boolean; burst: number } | null;
        return s?.sawLast ? s : undefined;
      },
      15000,
      'the newest quote of the burst',
    )) as { sawLast: boolean; burst: number };
    expect(state.burst).toBeGreaterThanOrEqual(1);
    expect(state.burst).toBeLessThanOrEqual(3);
  });
});
