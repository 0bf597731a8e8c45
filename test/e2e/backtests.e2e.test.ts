import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

const SCREENSHOTS = join('test', 'e2e', 'screenshots');

/** Buys 1 on the first bar close above `threshold`, with a 4-tick take profit and stop. */
const THRESHOLD_SCRIPT = `
export default defineStrategy({
  params: { threshold: 100 },
  state: { entered: false },
  onTick(quote, ctx) {
    if (!ctx.state.entered && quote.time % 60000 === 59999 && quote.bid > ctx.params.threshold) {
      ctx.buy(quote.ticker, 1, { takeProfit: { ticks: 4 }, stopLoss: { ticks: 4 } });
      ctx.state.entered = true;
    }
  },
});
`;

/** The Backtests page in a real browser against the real server: a run, its report and chart, a comparison. */
describe('the Backtests page', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-backtests-e2e-'));
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(join(dataDir, 'strategies'), { recursive: true });
    writeFileSync(join(dataDir, 'strategies', 'threshold.ts'), THRESHOLD_SCRIPT);
    mkdirSync(join(dataDir, 'history'), { recursive: true });
    copyFileSync(join('test', 'fixtures', 'backtest', 'nq-4-bars.csv'), join(dataDir, 'history', 'nq-4-bars.csv'));
    server = await startServer({ dataDir, overrides: { plugins: { disabled: ['sim-feed'] } } });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.url}/backtests`);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/backtests/);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (label: string, params: string) => {
    await page.getByTestId('backtest-strategy').selectOption('threshold');
    await page.getByTestId('backtest-ticker').fill('NQ1!');
    await page.getByTestId('backtest-file').selectOption('nq-4-bars.csv');
    await page.getByTestId('backtest-kind').selectOption('bars');
    await page.getByTestId('backtest-label').fill(label);
    await page.getByTestId('backtest-params').fill(params);
    await page.getByTestId('backtest-start').click();
    const row = page.getByTestId('backtest-run').filter({ hasText: label });
    await row.getByTestId('backtest-state').filter({ hasText: 'done' }).waitFor({ timeout: 30_000 });
    return row;
  };

  it('runs a script over a history file and shows the report with its chart', async () => {
    const row = await run('rule at 100', '{"threshold": 100}');
    await row.getByTestId('backtest-open').click();
    const report = page.getByTestId('backtest-report');
    await report.waitFor();
    // Bought at the 14:30 close, 100.5; sold at the take profit, 101.5: 4 ticks × $5.
    expect(await report.getByTestId('backtest-trade-count').textContent()).toBe('1');
    expect((await report.getByTestId('backtest-pnl').textContent())?.trim()).toBe('+$20.00');
    expect(await report.getByTestId('trade-row').count()).toBe(1);
    await report.locator('canvas').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'backtests.png'), fullPage: true });
  });

  it('puts two runs side by side', async () => {
    await run('rule at 200', '{"threshold": 200}');
    for (const label of ['rule at 100', 'rule at 200']) {
      await page.getByTestId('backtest-run').filter({ hasText: label }).locator('input[type="checkbox"]').check();
    }
    await page.getByTestId('backtest-compare').click();
    const table = page.getByTestId('backtest-comparison');
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('rule at 100');
    expect(text).toContain('{"threshold":200}');
    expect(text).toContain('+$20.00');
  });

  it('shows a bad file as the server words it', async () => {
    await page.getByTestId('backtest-strategy').selectOption('pass-through');
    await page.getByTestId('backtest-file').selectOption('');
    await page.getByTestId('backtest-data').fill('time,open,high,low,close\n1704205800,100,101,99,100\n1704205860,100,x,99,100\n');
    await page.getByTestId('backtest-start').click();
    await page.getByTestId('backtest-error').filter({ hasText: 'line 3' }).waitFor();
    expect(await page.getByTestId('backtest-error').textContent()).toContain('bars: line 3: high "x" is not a number');
  });
});
