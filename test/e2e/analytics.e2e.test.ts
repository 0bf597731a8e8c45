import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { TRADE_CSV_COLUMNS } from '@tradeloop/contracts';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser, signedInPage } from '../support/browser.js';

const SCREENSHOTS = join('test', 'e2e', 'screenshots');

/** A strategy's Analytics section in Chromium: the latency table, slippage, stats by tag, the tag filter and the CSV export. */
describe("a strategy's analytics in the admin", () => {
  let server: TestServer;
  let browser: Browser;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'Analytics strategy' })).body;
    for (const alert of [
      { ticker: 'NQ1!', action: 'buy', quantity: 1, price: 25000 },
      { ticker: 'NQ1!', action: 'exit', price: 25010 },
    ]) {
      const { eventId } = (await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, alert)).body;
      await eventually(async () => (await http(server.url, 'GET', `/api/events/${eventId}`)).body.status === 'done', 15000, 'the alert');
    }
    const [trade] = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body.items;
    expect((await http(server.url, 'PUT', `/api/journal/trades/${trade.id}`, { tags: ['opening drive'] })).status).toBe(200);
    // The timelines are written once a second.
    await eventually(async () => (await http(server.url, 'GET', `/api/analytics/timelines?strategyId=${strategy.id}`)).body.total === 2);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows latency, slippage and stats by tag, filters by tag and exports the trades as CSV', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await signedInPage(context, server.url, `/strategies/${strategy.id}`, TEST_ADMIN);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // The section loads (charts and all) in its own chunk, after the page.
    await page.getByRole('heading', { name: 'Analytics', exact: true }).scrollIntoViewIfNeeded();
    const panel = page.getByTestId('strategy-analytics');
    await panel.getByTestId('latency-table').waitFor();
    await expect(panel.getByTestId('latency-table').textContent()).resolves.toMatch(/received → sent \(Tradeloop\)\s*2/);
    await expect(panel.getByTestId('slippage-total').textContent()).resolves.toMatch(/2 fills: \$0\.00, 0 ticks a fill/);
    await expect(panel.getByTestId('stats-by-tag').textContent()).resolves.toMatch(/opening drive\s*1\s*100%\s*\+\$200\.00\s*\+\$200\.00/);
    // The histogram shown is the span selected (Tradeloop's own at first).
    await expect(panel.locator('select').inputValue()).resolves.toBe('tradeloop');
    await panel.locator('select').selectOption('engine');
    await expect(panel.locator('tr.selected').textContent()).resolves.toMatch(/engine → sent/);
    await page.screenshot({ path: join(SCREENSHOTS, 'strategy-analytics.png'), fullPage: true });

    await panel.getByTestId('analytics-tag').fill('nothing');
    await panel.getByTestId('analytics-tag').press('Enter');
    await panel.getByTestId('stats-by-tag').filter({ hasNotText: 'opening drive' }).waitFor();

    await panel.getByTestId('analytics-tag').fill('');
    await panel.getByTestId('analytics-tag').press('Enter');
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('export-csv').click()]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .split('\r\n')
      .filter(Boolean);
    expect(lines[0]).toBe(TRADE_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,opening drive,$/);
    expect(problems).toEqual([]);
  }, 90_000);
});
