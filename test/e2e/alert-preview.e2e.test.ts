import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

const SCREENSHOTS = join('test', 'e2e', 'screenshots');

/** The strategy page's "test an alert" box, price sources in the trade history, and the simulated feed's label and switch, in Chromium. */
describe('alerts in the admin', () => {
  let server: TestServer;
  let browser: Browser;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer(); // the simulated feed on, as installed
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'Preview strategy', defaultTicker: 'NQ1!' })).body;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedInPage(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.url}/login?next=${encodeURIComponent(path)}`);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === path);
    return { page, problems };
  }

  it('previews an alert typed on the strategy page: what it would trade, at what prices, and nothing happens', async () => {
    const { page, problems } = await signedInPage(`/strategies/${strategy.id}`);
    const box = page.getByTestId('alert-preview');
    await expect(box.getByTestId('alert-preview-input').inputValue()).resolves.toMatch(/"ticker": "NQ1!"/);
    await box
      .getByTestId('alert-preview-input')
      .fill(
        '{"ticker":"NQ1!","action":"buy","quantity":2,"price":25000,"takeProfit":{"amount":20},"stopLoss":{"type":"stop_limit","amount":10}}',
      );
    await box.getByTestId('alert-preview-run').click();
    await box.getByTestId('alert-preview-verdict').filter({ hasText: 'The webhook would accept it (202)' }).waitFor();
    await expect(box.getByTestId('alert-preview-position').textContent()).resolves.toBe('NQ1!: 0 → 2');
    const row = box.getByTestId('alert-preview-order');
    await expect(row.textContent()).resolves.toMatch(
      /Paper\s*buy 2 NQ1! market\s*fills near 25000, from the alert's price\s*take profit 25020 · stop-limit 24990 \(limit 24990\)/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'alert-preview.png'), fullPage: true });

    // A message TradingView would mangle gets the webhook's own refusal, with the hint.
    await box.getByTestId('alert-preview-input').fill('{ “ticker”: “NQ1!”, “action”: “buy” }');
    await box.getByTestId('alert-preview-run').click();
    await box.getByTestId('alert-preview-verdict').filter({ hasText: 'The webhook would refuse it (400)' }).waitFor();
    await expect(box.getByTestId('alert-preview-verdict').textContent()).resolves.toMatch(/typographic quotes/);
    expect(await box.getByTestId('alert-preview-order').count()).toBe(0);

    expect(((await http(server.url, 'GET', `/api/events?strategyId=${strategy.id}`)).body as any[]).length).toBe(0);
    expect((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.total).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows where each trade's prices came from, and the demo feed's label and switch", async () => {
    for (const [action, price] of [
      ['buy', 25000],
      ['sell', 25010],
    ] as const) {
      const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action, quantity: 1, price });
      await eventually(async () => (await http(server.url, 'GET', `/api/events/${response.body.eventId}`)).body.status === 'done');
    }
    const { page, problems } = await signedInPage(`/strategies/${strategy.id}`);
    const trade = page.getByTestId('trade-history').getByTestId('trade-row').filter({ hasText: '+$200.00' });
    await trade.waitFor({ timeout: 10000 });
    await expect(trade.getByTestId('entry-source').textContent()).resolves.toBe('alert');
    await expect(trade.getByTestId('exit-source').getAttribute('title')).resolves.toMatch(/price TradingView put in the alert/);

    await page.goto(`${server.url}/market`);
    await page.getByTestId('demo-feed').waitFor();
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('simulated-feed-state').filter({ hasText: 'on: demo data' }).waitFor();
    await page.getByTestId('simulated-feed-toggle').click();
    await page.getByTestId('simulated-feed-state').filter({ hasText: 'off' }).waitFor();
    expect((await http(server.url, 'GET', '/api/market/simulated-feed')).body.on).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'simulated-feed-setting.png'), fullPage: true });
    await page.getByTestId('simulated-feed-toggle').click();
    await page.getByTestId('simulated-feed-state').filter({ hasText: 'on: demo data' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});
