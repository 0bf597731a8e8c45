import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { EventBus } from '../../apps/server/src/infra/events/event-bus.js';
import { MarketService } from '../../apps/server/src/market/market.service.js';
import { PnlRollups } from '../../apps/server/src/pnl/pnl-rollup.service.js';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser, signedInPage } from '../support/browser.js';

const SCREENSHOTS = join('test', 'e2e', 'screenshots');

/**
 * What a newcomer sees after their first webhook trades, in a real browser: the Strategies list
 * answering "how is each doing", and the Dashboard chart holding every trade from the first second
 * (not only once the hourly rollup has run). NQ: $5 a 0.25 tick; quotes with bid = ask.
 */
describe('first webhook trades in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let strategy: { id: string; webhookToken: string };

  const quote = (price: number) => server.app.get(MarketService).publish({ ticker: 'NQ1!', bid: price, ask: price, time: Date.now() });
  const alert = async (body: object) => {
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
    expect(sent.status).toBe(202);
    await eventually(async () =>
      ['done', 'failed'].includes((await http(server.url, 'GET', `/api/events/${sent.body.eventId}`)).body.status),
    );
  };
  /** Resolves once the recorder has recorded every strategy together flat at this total (and pushed it). */
  const recorded = (total: number) =>
    new Promise<number>((done) => {
      const bus = server.app.get(EventBus);
      const stop = bus.subscribe((m) => {
        if (m.type === 'PNL' && bus.relayable(m) && m.data.scope === 'all' && m.data.realizedPnl === total && m.data.openPnl === 0) {
          stop();
          done(m.data.time);
        }
      });
    });
  let firstTripRecorded: Promise<number>;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'NQ trend', defaultTicker: 'NQ1!', defaultQuantity: 2 })).body;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists each strategy with its position, open, today and total P&L, last signal and default order, live', async () => {
    const page = await signedInPage(context, server.url, '/strategies', TEST_ADMIN);
    const row = page.locator('[data-testid="strategy-row"][data-strategy="NQ trend"]');
    await row.waitFor();
    await expect(row.getByTestId('strategy-position').textContent()).resolves.toBe('flat');
    await expect(row.getByTestId('strategy-last-signal').textContent()).resolves.toContain('never');
    await expect(row.getByTestId('strategy-default').textContent()).resolves.toContain('2 × NQ1!');
    await expect(page.locator('th').filter({ hasText: 'Default order' }).count()).resolves.toBe(1);

    // An alert with neither quantity nor ticker trades the default order; nothing reloads the page.
    quote(25000);
    await alert({ action: 'buy' });
    await row.getByTestId('strategy-position').filter({ hasText: '+2 NQ1!' }).waitFor({ timeout: 10000 });
    await expect(row.getByTestId('strategy-last-signal').textContent()).resolves.toMatch(/^\s*\d\d:\d\d:\d\d\s*$/);
    quote(25005); // +20 ticks × $5 × 2
    await row.getByTestId('strategy-open').filter({ hasText: '+$200.00' }).waitFor({ timeout: 10000 });
    firstTripRecorded = recorded(200);
    await alert({ action: 'exit' });
    await row.getByTestId('strategy-position').filter({ hasText: 'flat' }).waitFor({ timeout: 10000 });
    await row.getByTestId('strategy-open').filter({ hasText: '$0.00' }).waitFor({ timeout: 10000 });
    await row.getByTestId('strategy-total').filter({ hasText: '+$200.00' }).waitFor({ timeout: 10000 });
    await row.getByTestId('strategy-today').filter({ hasText: '+$200.00' }).waitFor({ timeout: 10000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'strategies-live.png') });
    await page.close();
  });

  it('opens the Dashboard right after a few trades and the chart holds every one of them', async () => {
    // The rollup runs after the first round trip only, as the minute timer would have: once the
    // recorder has recorded it, and over two seconds later (a rollup leaves the last two alone).
    const at = await firstTripRecorded;
    await new Promise((r) => setTimeout(r, Math.max(0, at + 3000 - Date.now())));
    await server.app.get(PnlRollups).rollUp(Date.now());
    quote(25005);
    await alert({ action: 'buy' });
    quote(25001); // −16 ticks × $5 × 2 = −$160: total $40
    await alert({ action: 'exit' });
    await alert({ action: 'buy' });
    quote(25004); // +12 ticks × $5 × 2 = +$120: total $160
    const done = recorded(160);
    await alert({ action: 'exit' });
    // Opened once the recorder has recorded the last trade: no live push reaches the chart after this.
    await done;

    const page: Page = await signedInPage(context, server.url, '/dashboard', TEST_ADMIN);
    await page.getByTestId('summary-total').filter({ hasText: '+$160.00' }).waitFor({ timeout: 10000 });
    const chart = page.locator('[data-testid="pnl-chart"] canvas');
    await chart.waitFor({ timeout: 10000 });
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(/ends at \+\$160\.00,/);
    await page.getByTestId('summary-trades').filter({ hasText: '3 trades' }).waitFor({ timeout: 10000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-first-trades.png') });
    await page.close();
  });
});
