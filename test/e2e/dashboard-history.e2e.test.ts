import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TradingCalendar } from '@tradeloop/domain';
import type { Browser } from 'playwright-core';
import { PnlRecorder } from '../../apps/server/src/pnl/pnl-recorder.service.js';
import { PnlRollups } from '../../apps/server/src/pnl/pnl-rollup.service.js';
import { http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser, signedInPage } from '../support/browser.js';
import { fillBooker, quote, type TestFill } from '../support/pnl.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * `DOCS_SCREENSHOT=1 npm run test:jest -- test/e2e/dashboard-history.e2e.test.ts` also writes the
 * README's picture of the dashboard (docs/images/dashboard.png) from this run.
 */
const DOCS_IMAGE = process.env.DOCS_SCREENSHOT ? join('docs', 'images', 'dashboard.png') : null;

/**
 * A week of two strategies' round trips, recorded as it happened (hand-computed: NQ $5 and ES
 * $12.50 a 0.25 tick), on the Dashboard's 1W range: summary, chart and calendar agree with the
 * trades.
 */
describe('the Dashboard over a week of trades', () => {
  let server: TestServer;
  let browser: Browser;
  /** Trading days (New York) and their realized P&L. */
  const days = new Map<string, number>();
  const calendar = TradingCalendar.of('America/New_York', '18:00');
  let total = 0;
  let trades = 0;

  beforeAll(async () => {
    mkdirSync(join('test', 'e2e', 'screenshots'), { recursive: true });
    if (DOCS_IMAGE) mkdirSync(join('docs', 'images'), { recursive: true });
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'] }, pnl: { timeZone: 'America/New_York', dayStart: '18:00', recorder: false } },
    });
    const accountId = (await http(server.url, 'GET', '/api/accounts')).body[0].id as string;
    const nq = (await http(server.url, 'POST', '/api/strategies', { name: 'NQ trend', defaultTicker: 'NQ1!' })).body.id as string;
    const es = (await http(server.url, 'POST', '/api/strategies', { name: 'ES fade', defaultTicker: 'ES1!' })).body.id as string;
    const book = fillBooker(server);
    const recorder = server.app.get(PnlRecorder);
    // Round trips of one contract: [strategy, ticker, tick value, entry, exit, hours after the day's first].
    const plan: [string, string, number, number, number, number][] = [
      [nq, 'NQ1!', 5, 25000, 25012.5, 0], // +50 ticks: +$250
      [es, 'ES1!', 12.5, 6800, 6796, 1], // −16 ticks: −$200
      [nq, 'NQ1!', 5, 25020, 25008, 3], // −48 ticks: −$240
      [es, 'ES1!', 12.5, 6790, 6798.5, 4], // +34 ticks: +$425
    ];
    const start = Math.floor((Date.now() - 6 * DAY) / HOUR) * HOUR;
    for (let day = 0; day < 6; day++) {
      for (const [i, [strategyId, ticker, tickValue, entry, exit, hours]] of plan.entries()) {
        // Each day a different pair of the four wins, so the line wanders.
        if ((day + i) % 3 === 0) continue;
        const at = start + day * DAY + hours * HOUR;
        const fills: TestFill[] = [
          { strategyId, accountId, ticker, side: 'buy', quantity: 1, price: entry, time: at },
          { strategyId, accountId, ticker, side: 'sell', quantity: 1, price: exit, time: at + 20 * 60_000 },
        ];
        await book(...fills);
        await recorder.recordPass(at + 20 * 60_000 + 1000);
        const pnl = ((exit - entry) / 0.25) * tickValue;
        const date = calendar.dateOf(at + 20 * 60_000);
        days.set(date, (days.get(date) ?? 0) + pnl);
        total += pnl;
        trades++;
      }
    }
    // And one position open now, marked at the bid: +8 ticks × $5.
    await book({ strategyId: nq, accountId, ticker: 'NQ1!', side: 'buy', quantity: 1, price: 25000, time: Date.now() - 60_000 });
    quote(server, 'NQ1!', 25002, 25002.25);
    await recorder.recordPass(Date.now());
    await recorder.flush();
    await server.app.get(PnlRollups).rollUp(Date.now());
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the totals, a chart through every day and each day in the calendar', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context, server.url, '/dashboard', TEST_ADMIN);
    const money = (n: number) => `${n < 0 ? '−' : '+'}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
    await page
      .getByTestId('summary-total')
      .filter({ hasText: money(total + 40) })
      .waitFor({ timeout: 10000 });
    await page
      .getByTestId('summary-trades')
      .filter({ hasText: `${trades} trades` })
      .waitFor({ timeout: 10000 });
    await page.getByTestId('range-1W').click();
    const chart = page.locator('[data-testid="pnl-chart"] canvas');
    await page.locator('[data-testid="range-1W"][aria-pressed="true"]').waitFor();
    await chart.waitFor({ timeout: 10000 });
    // Hour bars over the week: one point per hour with a change, ending at the total with the open position.
    const label = await chart.getAttribute('aria-label');
    expect(label).toMatch(new RegExp(`^P&L chart, (\\d+) points: ends at \\${money(total + 40).replace('$', '\\$')},`));
    expect(Number(/(\d+) points/.exec(label!)![1])).toBeGreaterThanOrEqual(trades);
    // The calendar opens on the current month; a week may begin in the previous one.
    const thisMonth = calendar.dateOf(Date.now()).slice(0, 7);
    const checkMonth = async (month: string) => {
      for (const [date, pnl] of [...days].filter(([d]) => d.startsWith(month))) {
        await expect(page.locator(`[data-testid="calendar-day"][data-date="${date}"]`).textContent()).resolves.toContain(money(pnl));
      }
    };
    await checkMonth(thisMonth);
    await page.screenshot({ path: join('test', 'e2e', 'screenshots', 'dashboard-week.png') });
    if (DOCS_IMAGE) await page.screenshot({ path: DOCS_IMAGE });
    const earlier = [...new Set([...days.keys()].map((d) => d.slice(0, 7)))].filter((m) => m !== thisMonth);
    if (earlier.length) {
      await page.getByTestId('calendar-previous').click();
      await page.locator(`[data-testid="calendar-day"][data-date^="${earlier[0]}"]`).first().waitFor();
      await checkMonth(earlier[0]);
    }
    await context.close();
  });
});
