import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { MarketService } from '../../apps/server/src/market/market.service.js';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';
import { FakeDiscord } from '../support/notification-fakes.js';

/** Account rules in the Control Center and notification channels on Settings, in a real browser. */
describe('account rules and notifications in the admin', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const discord = new FakeDiscord();
  const problems: string[] = [];

  beforeAll(async () => {
    await discord.start();
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'] }, notifications: { discordBaseUrl: `http://127.0.0.1:${discord.port}` } },
    });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await discord.stop();
  });

  it('shows the margins moving with the market, then the lock and its reason', async () => {
    const market = server.app.get(MarketService);
    const paper = ((await http(server.url, 'GET', '/api/accounts')).body as any[]).find((a) => a.name === 'Paper');
    const set = await http(server.url, 'PUT', `/api/accounts/${paper.id}/rules`, {
      rules: { startingBalance: 50000, timeZone: 'America/New_York', dayStart: '18:00', dailyLoss: { limit: 500, enforcement: 'hard' } },
    });
    expect(set.status).toBe(200);
    market.publish({ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
    const bought = await http(server.url, 'POST', '/api/orders', { accountId: paper.id, ticker: 'NQ1!', side: 'buy', quantity: 1 });
    expect(bought.body.status).toBe('filled');
    await page.goto(`${server.url}/control`);
    const margin = page.getByTestId('account-margin').filter({ hasText: 'daily loss limit' });
    // Bought at 25000.25, marked at the bid 25000: −$5.
    await expect(margin.textContent()).resolves.toBeTruthy();
    await eventually(
      async () => (await margin.textContent())?.includes('$495.00 until the daily loss limit of $500.00'),
      5000,
      'the margin',
    );
    market.publish({ ticker: 'NQ1!', bid: 24990, ask: 24990.25, time: Date.now() });
    await eventually(async () => (await margin.textContent())?.includes('$295.00 until'), 5000, 'the margin after a quote');
    market.publish({ ticker: 'NQ1!', bid: 24975, ask: 24975.25, time: Date.now() });
    const lock = page.getByTestId('account-lock');
    await lock.waitFor();
    expect(await lock.textContent()).toMatch(/Locked until .*today's P&L -\$505\.00 reached the daily loss limit of \$500\.00/);
    expect(problems).toEqual([]);
  });

  it('adds a Discord channel on Settings, shows its secret only as a hint, and sends a test message', async () => {
    await page.goto(`${server.url}/settings`);
    const form = page.getByTestId('channel-form');
    await form.locator('input[name="channelName"]').fill('Trading room');
    await form.getByTestId('channel-field-webhookUrl').fill(`https://discord.com/api/webhooks/${discord.id}/${discord.token}`);
    await form.getByRole('button', { name: 'Add channel' }).click();
    const row = page.getByTestId('channel-row').filter({ hasText: 'Trading room' });
    await row.waitFor();
    expect(await row.textContent()).toContain('webhookUrl ••••_abc');
    expect(await page.content()).not.toContain(discord.token);
    await row.getByTestId('channel-test').click();
    await expect(page.getByTestId('channel-test-result').textContent()).resolves.toContain('Trading room: test message sent');
    // The new channel hears every kind of notification: a plugin's news may land after the test's.
    const titles = discord.accepted.map((message) => (message.body.embeds as { title: string }[])[0].title);
    expect(titles.filter((title) => title === 'Tradeloop test message')).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});
