import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, eventually, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, orders, savedState, scriptsDir, settled } from '../../support/scripts.js';

const SCRIPT = `
export default defineStrategy({
  tickers: ['YM1!'],
  state: { alerts: 0, ticks: 0 },
  onWebhook(alert, ctx) {
    ctx.state.alerts += 1;
    ctx.buy(alert.ticker, ctx.state.alerts);
  },
  onTick(quote, ctx) {
    ctx.state.ticks += 1;
  },
});
`;

/** Scripts on BullMQ and PostgreSQL, across a restart: the queue driver and the database change nothing a script sees. */
describe('strategy scripts on BullMQ and PostgreSQL, across a restart', () => {
  let server: TestServer | undefined;
  let database: { url: string; drop(): Promise<void> };
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-scripts-restart-'));
  const dir = scriptsDir({ 'counter.ts': SCRIPT });
  const start = () => startServer({ dataDir, databaseUrl: database.url, redisUrl: REDIS_URL, overrides: { strategies: { dir } } });

  beforeAll(async () => {
    database = await createPostgresDatabase();
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs webhooks and conflated ticks through BullMQ, and keeps ctx.state across a restart', async () => {
    const strategy = await createScripted(server!, { name: 'counter', script: 'counter.ts' });
    const first = await hook(server!, strategy.webhookToken, { ticker: 'YM1!', action: 'buy' });
    expect(first.status).toBe(202);
    await settled(server!, strategy.id, first.body.eventId);
    await eventually(async () => ((await savedState(server!, strategy.id)) as { ticks: number }).ticks >= 3, 15000, 'ticks through BullMQ');

    await server!.close({ keepData: true });
    server = undefined;
    const before = (await (async () => {
      server = await start();
      return savedState(server, strategy.id);
    })()) as { alerts: number; ticks: number };
    expect(before.alerts).toBe(1);

    const second = await hook(server!, strategy.webhookToken, { ticker: 'YM1!', action: 'buy' });
    await settled(server!, strategy.id, second.body.eventId);
    const after = (await savedState(server!, strategy.id)) as { alerts: number; ticks: number };
    expect(after.alerts).toBe(2);
    expect(after.ticks).toBeGreaterThanOrEqual(before.ticks);
    // The second alert bought 2: the count came back from the database, not from a fresh script.
    expect((await orders(server!, strategy.id)).map((o) => [o.side, o.quantity, o.status])).toEqual([
      ['buy', 2, 'filled'],
      ['buy', 1, 'filled'],
    ]);
  });
});
