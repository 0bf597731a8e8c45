import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { connectWs } from '../../support/ws-client.js';

const DEFAULT_WATCHLIST = ['NQ1!', 'MNQ1!', 'ES1!', 'MES1!'];

/** A real WebSocket client that says nothing: which tickers reach it within `ms` of connecting. */
async function quotedWithin(server: TestServer, ms: number): Promise<Map<string, number>> {
  const started = performance.now();
  const client = await connectWs(server.url);
  const firstSeen = new Map<string, number>();
  client.socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === 'DATA' && !firstSeen.has(message.data.ticker)) firstSeen.set(message.data.ticker, performance.now() - started);
  });
  // What arrived before the listener above: in the client's own list already.
  for (const m of client.messages) if (m.type === 'DATA' && !firstSeen.has(m.data.ticker)) firstSeen.set(m.data.ticker, 0);
  await new Promise((r) => setTimeout(r, ms));
  await client.close();
  return firstSeen;
}

describe('the watchlist: quotes from the first second', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-watchlist-'));
  let server: TestServer;
  const start = async () => {
    server = await startServer({ dataDir });
    return server;
  };

  beforeAll(start);
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a client that subscribes to nothing the watchlist’s quotes within a second of connecting', async () => {
    // A fresh server: nothing but the watchlist has asked for a quote yet.
    const seen = await quotedWithin(server, 1000);
    for (const ticker of DEFAULT_WATCHLIST) expect(seen.get(ticker)).toBeLessThan(1000);
    expect((await http(server.url, 'GET', '/api/market/watchlist')).body).toEqual({
      tickers: DEFAULT_WATCHLIST,
      strategyTickers: [],
      quoted: DEFAULT_WATCHLIST,
    });
  });

  it("quotes every enabled strategy's default ticker with it, until the strategy is switched off", async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'crude', defaultTicker: 'NYMEX:CL1!' })).body;
    expect((await http(server.url, 'GET', '/api/market/watchlist')).body.strategyTickers).toEqual(['CL1!']);
    expect((await quotedWithin(server, 1000)).has('CL1!')).toBe(true);
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: false });
    const view = (await http(server.url, 'GET', '/api/market/watchlist')).body;
    expect(view.strategyTickers).toEqual([]);
    expect(server.app.get(MarketService).watchlist()).toEqual(DEFAULT_WATCHLIST);
  });

  it('takes edits as canonical tickers, refuses bad ones by name, and keeps the last of concurrent edits whole', async () => {
    const edited = await http(server.url, 'PUT', '/api/market/watchlist', { tickers: ['gc1!', 'CME_MINI:NQ1!', 'GC1!'] });
    expect(edited.status).toBe(200);
    expect(edited.body.tickers).toEqual(['GC1!', 'NQ1!']);

    const bad = await http(server.url, 'PUT', '/api/market/watchlist', { tickers: ['ES1!', '<script>'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^tickers\[1\]: ticker "<script>" is not a symbol/);
    const long = await http(server.url, 'PUT', '/api/market/watchlist', { tickers: ['X'.repeat(65)] });
    expect(long.status).toBe(400);
    const many = await http(server.url, 'PUT', '/api/market/watchlist', { tickers: Array.from({ length: 51 }, (_, i) => `T${i}`) });
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body.message)).toMatch(/50/);
    const notAList = await http(server.url, 'PUT', '/api/market/watchlist', { tickers: 'NQ1!' });
    expect(notAList.status).toBe(400);
    expect((await http(server.url, 'GET', '/api/market/watchlist')).body.tickers).toEqual(['GC1!', 'NQ1!']);

    // A read token sees it and cannot change it.
    const read = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'wall screen', scope: 'read' })).body.token;
    expect((await http(server.url, 'GET', '/api/market/watchlist', undefined, { token: read })).status).toBe(200);
    expect((await http(server.url, 'PUT', '/api/market/watchlist', { tickers: [] }, { token: read })).status).toBe(403);

    // Ten edits at once: the list ends as one of them, never a mix, and the market quotes exactly it.
    const lists = Array.from({ length: 10 }, (_, i) => [`YM1!`, `M2K1!`, ...(i % 2 ? ['RTY1!'] : ['MYM1!'])]);
    const answers = await Promise.all(lists.map((tickers) => http(server.url, 'PUT', '/api/market/watchlist', { tickers })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const final = (await http(server.url, 'GET', '/api/market/watchlist')).body;
    expect(lists.map((l) => JSON.stringify(l))).toContain(JSON.stringify(final.tickers));
    expect([...server.app.get(MarketService).watchlist()]).toEqual(final.quoted);
  });

  it('keeps the edited watchlist across a restart, an empty one included', async () => {
    await http(server.url, 'PUT', '/api/market/watchlist', { tickers: ['GC1!', 'CL1!'] });
    await server.close({ keepData: true });
    await start();
    expect((await http(server.url, 'GET', '/api/market/watchlist')).body.tickers).toEqual(['GC1!', 'CL1!']);
    const seen = await quotedWithin(server, 1000);
    expect(seen.has('GC1!') && seen.has('CL1!')).toBe(true);
    expect(seen.has('NQ1!')).toBe(false);

    await http(server.url, 'PUT', '/api/market/watchlist', { tickers: [] });
    await server.close({ keepData: true });
    await start();
    expect((await http(server.url, 'GET', '/api/market/watchlist')).body).toEqual({ tickers: [], strategyTickers: [], quoted: [] });
    await eventually(async () => server.app.get(MarketService).watchlist().length === 0, 2000, 'an empty watchlist');
  });
});
