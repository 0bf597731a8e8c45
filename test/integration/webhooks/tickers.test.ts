import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, logs, scriptsDir } from '../../support/scripts.js';
import { connectWs } from '../../support/ws-client.js';

/** 60,000 characters with markup inside: what a probe sent as a ticker, and once got a position with. */
const HUGE = `NQ<script>alert(1)</script>${'A'.repeat(60_000 - 27)}`;
/** Short enough for every length check, but not a symbol. */
const MARKUP = '<script>alert(1)</script>';
const REASON = {
  [HUGE]: /ticker is 60000 characters long; at most 64|shorter than or equal to 64 characters/,
  [MARKUP]: /ticker "<script>alert\(1\)<\/script>" is not a symbol/,
};

const SCRIPT = `export default defineStrategy({
  onWebhook(alert, ctx) {
    const ticker = ctx.params.huge ? 'NQ<script>alert(1)</script>' + 'A'.repeat(59973) : '<script>alert(1)</script>';
    ctx.buy(ticker, 1);
  },
  params: { huge: false },
});`;

/** A 400's message: one sentence, or the validator's list. */
const words = (message: unknown) => (Array.isArray(message) ? message.join('; ') : String(message));

/** A ticker that is no symbol is refused on every path with its reason, and nothing is created for it. */
describe('tickers from outside', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string; accountId: string };
  let scripts: string;

  beforeAll(async () => {
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'] }, strategies: { dir: (scripts = scriptsDir({ 'tickers.ts': SCRIPT })) } },
    });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'tickers' })).body;
    server.app.get(MarketService).publish({ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
  });
  afterAll(async () => {
    await server.close();
    rmSync(scripts, { recursive: true, force: true });
  });

  const nothingCreated = async () => {
    const db = server.app.get(DataSource);
    for (const table of ['webhook_events', 'orders', 'positions']) {
      const rows = (await db.query(`SELECT * FROM ${table}`)) as unknown[];
      expect([table, JSON.stringify(rows).includes('<script>')]).toEqual([table, false]);
    }
    expect(
      server.app
        .get(MarketService)
        .allQuotes()
        .some((q) => q.ticker.includes('SCRIPT')),
    ).toBe(false);
  };

  it.each([HUGE, MARKUP])('refuses it in an alert: 400 with the reason (%#)', async (ticker) => {
    for (const body of [
      { ticker, action: 'buy', price: 25000 },
      { ticker: `CME_MINI:${ticker}`, action: 'buy', price: 25000 },
    ]) {
      const response = await hook(server, strategy.webhookToken, body);
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/^ticker /);
      expect(response.body.message).toMatch(ticker === HUGE ? /characters long; at most 64/ : /is not a symbol/);
    }
    await nothingCreated();
  });

  it.each([HUGE, MARKUP])('refuses it in a manual order, a flatten and a reverse: 400 with the reason (%#)', async (ticker) => {
    for (const [path, body] of [
      ['/api/orders', { accountId: strategy.accountId, ticker, side: 'buy', quantity: 1 }],
      ['/api/positions/flatten', { accountId: strategy.accountId, ticker }],
      ['/api/positions/reverse', { accountId: strategy.accountId, ticker }],
    ] as const) {
      const response = await http(server.url, 'POST', path, body);
      expect([path, response.status]).toEqual([path, 400]);
      expect(words(response.body.message)).toMatch(REASON[ticker]);
    }
    await nothingCreated();
  });

  it.each([HUGE, MARKUP])("refuses it as a strategy's default ticker and a link's symbol: 400 with the reason (%#)", async (ticker) => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'bad default', defaultTicker: ticker });
    expect(created.status).toBe(400);
    expect(words(created.body.message)).toMatch(REASON[ticker]);
    const patched = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { defaultTicker: ticker });
    expect(patched.status).toBe(400);
    const other = (
      await http(server.url, 'POST', '/api/accounts', {
        name: `copy ${ticker.length}`,
        broker: 'paper-broker',
        brokerAccountId: `c${ticker.length}`,
      })
    ).body;
    const linked = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, {
      links: [{ accountId: other.id, symbolOverride: ticker }],
    });
    expect(linked.status).toBe(400);
    expect(words(linked.body.message)).toMatch(REASON[ticker]);
    const [row] = await server.app.get(DataSource).query('SELECT "defaultTicker" FROM strategies WHERE id = ?', [strategy.id]);
    expect(row.defaultTicker).toBeNull();
  });

  it('clears a default ticker with null', async () => {
    expect((await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { defaultTicker: 'ES1!' })).body.defaultTicker).toBe('ES1!');
    const cleared = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { defaultTicker: null });
    expect([cleared.status, cleared.body.defaultTicker]).toEqual([200, null]);
  });

  it.each([false, true])("refuses it in a script's order with the reason in the strategy's log (huge: %p)", async (huge) => {
    const scripted = await createScripted(server, { name: `script ${huge}`, script: 'tickers.ts', params: { huge } });
    const sent = await hook(server, scripted.webhookToken, { ticker: 'NQ1!', action: 'buy', price: 25000 });
    expect(sent.status).toBe(202);
    // The sandbox refuses a ticker over 64 characters inside ctx.buy (the call fails); the host refuses what is no symbol.
    const refusal = huge
      ? /^onWebhook failed \(error\) at tickers\.ts:4:9: buy: ticker must be a non-empty string/
      : /^onWebhook: action refused: buy: ticker .* is not a symbol/;
    const line = await eventually(
      async () => (await logs(server, scripted.id)).find((l) => refusal.test(l.message)),
      10_000,
      'the refusal in the log',
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await logs(server, scripted.id)).map((l) => l.message.slice(0, 300)))}`);
    });
    expect(line.message.length).toBeLessThan(2100);
    await nothingCreated();
  });

  it.each([HUGE, MARKUP])('answers SUBSCRIBE and WATCH with an ERROR naming it, on /ws (%#)', async (ticker) => {
    const client = await connectWs(server.url);
    try {
      client.send({ type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['NQ1!', ticker] });
      const subscribeError = await client.next('ERROR');
      expect(subscribeError.data.message).toMatch(/^tickers: /);
      expect(subscribeError.data.message).toMatch(ticker === HUGE ? /characters long|at most/ : /is not a symbol/);
      client.send({ type: 'WATCH', tickers: [ticker] });
      const watchError = await client.next('ERROR', (m) => m !== subscribeError);
      expect(watchError.data.message).toMatch(/ticker/);
      expect(JSON.stringify(client.messages)).not.toContain('<script>alert(1)</script>A');
    } finally {
      await client.close();
    }
    await nothingCreated();
  });
});
