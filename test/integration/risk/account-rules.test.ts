import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';
import { FakeDiscord, waitFor } from '../../support/notification-fakes.js';
import { quoted, quoteSourceSettings, startQuoteSource, type QuoteSource } from '../../support/quote-source.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

/**
 * Prop-firm rules on the paper account, through a real server: REST with real HTTP, quotes from a
 * real feed connection, `/ws`, SQLite, a restart. NQ: $5 a 0.25 tick, $20 a point.
 */
describe.each(['sqlite', 'postgres'] as const)('account rules on a live account (%s)', (kind) => {
  let databaseUrl = '';
  let dropDatabase: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-rules-'));
  let server: TestServer;
  let source: QuoteSource;
  let ws: WsClient;
  let account: { id: string; name: string };
  let strategy: { id: string; webhookToken: string };
  /** Where the account's warnings and breaches are told (a stand-in speaking Discord's webhook API). */
  const discord = new FakeDiscord();
  const titles = () => discord.accepted.map((r) => String((r.body.embeds as { title: string }[])[0].title));

  const start = async () => {
    server = await startServer({
      dataDir,
      databaseUrl,
      overrides: {
        plugins: { disabled: ['sim-feed'], settings: { 'ws-data-feed': quoteSourceSettings(source, ['NQ1!']) } },
        notifications: { discordBaseUrl: `http://127.0.0.1:${discord.port}` },
      },
    });
    ws = await connectWs(server.url);
    ws.send({ type: 'WATCH', tickers: ['NQ1!'] });
  };
  /** One quote, and the server has seen it. */
  const market = async (bid: number) => {
    source.quote('NQ1!', bid, bid + 0.25);
    await quoted(server.url, 'NQ1!', bid);
  };
  const position = async () =>
    ((await http(server.url, 'GET', `/api/positions?accountId=${account.id}`)).body as any[])
      .filter((p) => p.ticker === 'NQ1!')
      .reduce((sum, p) => sum + p.quantity, 0);
  const orders = async () => (await http(server.url, 'GET', `/api/orders?accountId=${account.id}&limit=200`)).body;

  beforeAll(async () => {
    if (kind === 'postgres') ({ url: databaseUrl, drop: dropDatabase } = await createPostgresDatabase());
    source = await startQuoteSource();
    await discord.start();
    source.quote('NQ1!', 25000, 25000.25);
    await start();
    await quoted(server.url, 'NQ1!', 25000);
    account = ((await http(server.url, 'GET', '/api/accounts')).body as any[]).find((a) => a.name === 'Paper');
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'NQ trend', accountId: account.id })).body;
  });
  afterAll(async () => {
    await ws?.close();
    await server?.close();
    await source?.close();
    await discord.stop();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the firm presets, with their sources and dates', async () => {
    const presets = (await http(server.url, 'GET', '/api/account-rules/presets')).body as any[];
    expect(presets.map((p) => p.id)).toEqual(['apex-50k-eod', 'apex-50k-intraday', 'topstep-50k-combine', 'tradeify-growth-50k']);
    const topstep = presets.find((p) => p.id === 'topstep-50k-combine');
    expect(topstep).toEqual(expect.objectContaining({ firm: 'Topstep', asOf: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) }));
    expect(topstep.sources.length).toBeGreaterThan(0);
    expect(topstep.rules.drawdown).toEqual(expect.objectContaining({ mode: 'end-of-day', amount: 2000 }));
  });

  it('refuses bad rules with a 400 naming the field, and keeps running', async () => {
    const put = (body: unknown) => http(server.url, 'PUT', `/api/accounts/${account.id}/rules`, body);
    const cases: [unknown, RegExp][] = [
      [{ rules: { startingBalance: -5, timeZone: 'America/New_York', dayStart: '18:00' } }, /rules\.startingBalance/],
      [{ rules: { startingBalance: 50000, timeZone: 'Mars/Olympus', dayStart: '18:00' } }, /rules\.timeZone: must be an IANA time zone/],
      [{ rules: { startingBalance: 1e12, timeZone: 'America/New_York', dayStart: '18:00' } }, /rules\.startingBalance/],
      [{ rules: { startingBalance: 50000, timeZone: 'America/New_York', dayStart: '25:00' } }, /rules\.dayStart: must be a time HH:MM/],
      [{ rules: { startingBalance: 50000, timeZone: 'America/New_York', dayStart: '18:00', maxLoss: 5 } }, /maxLoss/],
      [{ preset: 'no-such-firm' }, /preset: no preset "no-such-firm"; choose from apex-50k-eod/],
      [{ preset: 'apex-50k-eod', rules: { drawdown: { mode: 'sideways', amount: 2000 } } }, /rules\.drawdown\.mode/],
      [{ risk: 1 }, /unknown field\(s\) "risk"/],
      [{}, /send preset/],
      [[1, 2], /body must be an object/],
    ];
    for (const [body, problem] of cases) {
      const response = await put(body);
      expect([response.status, response.body.message]).toEqual([400, expect.stringMatching(problem)]);
    }
    expect(
      (await http(server.url, 'PUT', `/api/accounts/00000000-0000-4000-8000-000000000000/rules`, { preset: 'apex-50k-eod' })).status,
    ).toBe(404);
    expect((await http(server.url, 'GET', `/api/accounts/${account.id}/rules`)).body.rules).toBeNull();
  });

  it('copies a preset with one figure changed, and shows its margins', async () => {
    const set = await http(server.url, 'PUT', `/api/accounts/${account.id}/rules`, {
      preset: 'apex-50k-intraday',
      rules: { warnAtPercent: 30 },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual(
      expect.objectContaining({
        preset: 'apex-50k-intraday',
        high: 50000,
        floor: 48000,
        locks: [],
        rules: expect.objectContaining({ warnAtPercent: 30 }),
      }),
    );
    expect(set.body.margins.find((m: any) => m.rule === 'trailing-drawdown')).toEqual({
      rule: 'trailing-drawdown',
      remaining: 2000,
      unit: 'dollars',
      level: 48000,
      text: '$2,000.00 until the intraday trailing drawdown (floor $48,000.00)',
    });
  });

  it('flattens within one quote of a hard daily-loss breach, locks until the next trading day, and says so', async () => {
    // Hard daily loss of $500 on a $50,000 account, 24 hours a day.
    const set = await http(server.url, 'PUT', `/api/accounts/${account.id}/rules`, {
      rules: { startingBalance: 50000, timeZone: 'America/New_York', dayStart: '18:00', dailyLoss: { limit: 500, enforcement: 'hard' } },
    });
    expect(set.status).toBe(200);
    const channel = await http(server.url, 'POST', '/api/notifications/channels', {
      type: 'discord',
      name: 'Risk desk',
      webhookUrl: `https://discord.com/api/webhooks/${discord.id}/${discord.token}`,
      events: ['risk-warning', 'breach'],
    });
    expect(channel.status).toBe(201);
    const buy = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy', quantity: 1 });
    expect(buy.status).toBe(202);
    await eventually(async () => (await position()) === 1, 10000, 'long 1 NQ');
    // Bought at the ask, 25000.25. Marked at the bid: 24990 is −10.25 points = −$205; 24980 is −$405.
    const stream = [24995, 24990, 24985, 24980];
    for (const bid of stream) {
      await market(bid);
      await new Promise((r) => setTimeout(r, 60));
      expect(await position()).toBe(1);
    }
    const margin = await ws.next('ACCOUNT_RULES', (m) => m.data.accountId === account.id && m.data.equity === 50000 - 405);
    expect(margin.data.margins.find((m) => m.rule === 'daily-loss')).toEqual(
      expect.objectContaining({ remaining: 95, text: '$95.00 until the daily loss limit of $500.00' }),
    );
    // 24975: −25.25 points = −$505, past the limit. Flat before any further quote.
    await market(24975);
    await eventually(async () => (await position()) === 0, 5000, 'flat after the breach');
    const exit = ((await orders()).items as any[]).find((o) => o.side === 'sell');
    expect([exit.status, exit.avgFillPrice, exit.clientOrderId]).toEqual(['filled', 24975, expect.stringMatching(/^rules:/)]);
    const breach = await ws.next('ACCOUNT_RULES', (m) => m.data.accountId === account.id && m.data.event?.kind === 'breach');
    expect(breach.data.event).toEqual(
      expect.objectContaining({
        rule: 'daily-loss',
        action: 'flatten-and-lock',
        text: expect.stringContaining("today's P&L -$505.00 reached the daily loss limit of $500.00"),
      }),
    );
    expect(breach.data.locks).toHaveLength(1);
    expect(Date.parse(breach.data.locks[0].until!)).toBeGreaterThan(Date.now());
    const lines = ((await http(server.url, 'GET', '/api/logs?level=warn&limit=50')).body as any[]).map((l) => `${l.category} ${l.message}`);
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining(`risk account "Paper": daily loss limit breached`)]));
    // Told on the channel: the warning at 25% of the room left ($95 of $500), then the lock.
    await waitFor(() => titles().includes('Account locked: Paper'), 5000, 'the breach notification');
    expect(titles()).toEqual(['Risk warning: Paper', 'Account locked: Paper']);
    const locked = (discord.accepted[1].body.embeds as { description: string }[])[0].description;
    expect(locked).toMatch(/reached the daily loss limit of \$500\.00.*Positions flattened, working orders cancelled, until 2\d{3}-/);
  });

  it('answers a webhook for the locked account with the reason, and executes nothing', async () => {
    const before = (await orders()).items.length;
    const refused = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy', quantity: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(
      /account locked by its daily loss limit until .*: today's P&L -\$505\.00 reached the daily loss limit.*only closing orders pass/,
    );
    // A manual order is refused by the same rule before the broker sees it.
    const manual = await http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'NQ1!', side: 'buy', quantity: 1 });
    expect(manual.body.status).toBe('rejected');
    expect(manual.body.reason).toMatch(/^risk limit: account "Paper": account rules: daily loss limit: /);
    await new Promise((r) => setTimeout(r, 300));
    const after = (await orders()).items as any[];
    expect(after.length).toBe(before + 1);
    expect(after.filter((o) => o.status === 'filled' && o.side === 'buy')).toHaveLength(1);
    expect(await position()).toBe(0);
  });

  it('keeps the lock across a restart', async () => {
    await ws.close();
    await server.close({ keepData: true });
    await start();
    const rules = (await http(server.url, 'GET', `/api/accounts/${account.id}/rules`)).body;
    expect(rules.locks).toEqual([expect.objectContaining({ rule: 'daily-loss', action: 'flatten-and-lock' })]);
    const refused = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy', quantity: 1 });
    expect(refused.status).toBe(409);
    // An exit still passes the intake (it can only bring a position toward flat).
    const exit = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'exit' });
    expect(exit.status).toBe(202);
  });
  it('trails an intraday drawdown with open P&L, keeps its high and floor across a restart, and fails the account at the floor', async () => {
    expect((await http(server.url, 'DELETE', `/api/accounts/${account.id}/rules`)).body.rules).toBeNull();
    await market(25000);
    const set = await http(server.url, 'PUT', `/api/accounts/${account.id}/rules`, {
      rules: { startingBalance: 50000, timeZone: 'America/New_York', dayStart: '18:00', drawdown: { mode: 'intraday', amount: 300 } },
    });
    expect([set.body.high, set.body.floor, set.body.locks]).toEqual([50000, 49700, []]);
    expect(
      (await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy', quantity: 1 })).status,
    ).toBe(202);
    await eventually(async () => (await position()) === 1, 10000, 'long 1 NQ');
    // Bought at 25000.25. Bid 25020: +19.75 points = +$395, equity $50,395: the floor trails to $50,095.
    await market(25010);
    await market(25020);
    const trailed = await eventually(
      async () => {
        const rules = (await http(server.url, 'GET', `/api/accounts/${account.id}/rules`)).body;
        return rules.high === 50395 ? rules : undefined;
      },
      5000,
      'the high at $50,395',
    );
    expect(trailed.floor).toBe(50095);
    await ws.close();
    await server.close({ keepData: true });
    await start();
    const after = (await http(server.url, 'GET', `/api/accounts/${account.id}/rules`)).body;
    expect([after.high, after.floor]).toEqual([50395, 50095]);
    // Bid 25010: +$195, $100 above the floor. Bid 25005: +$95, equity $50,095 touches it.
    await market(25010);
    expect(await position()).toBe(1);
    await market(25005);
    await eventually(async () => (await position()) === 0, 5000, 'flat at the floor');
    const rules = (await http(server.url, 'GET', `/api/accounts/${account.id}/rules`)).body;
    expect(rules.locks).toEqual([
      expect.objectContaining({
        rule: 'trailing-drawdown',
        until: null,
        reason: 'equity $50,095.00 reached the intraday trailing drawdown floor of $50,095.00: the account has failed',
      }),
    ]);
    const fills = (await http(server.url, 'GET', `/api/fills?accountId=${account.id}&limit=5`)).body.items as any[];
    expect([fills[0].side, fills[0].price]).toEqual(['sell', 25005]);
  });
});
