import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MarketService } from '../../apps/server/src/market/market.service.js';
import { http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

/** Where each page's screenshot goes for a reviewer to look at (not committed). */
const SCREENSHOTS = join('test', 'e2e', 'screenshots');

/** The built admin, served by the real server, in a real headless Chromium. */
describe('admin in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // No simulated feed: the test sets the quotes, so fills and P&L are known.
    // One failed script call errors a strategy, so the Control Center's error display can be seen.
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] }, strategies: { maxFailures: 1 } } });
    await http(server.url, 'POST', '/api/strategies', { name: 'Browser strategy' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page signed in through the login form; it collects page errors and CSP violations. */
  async function signedInPage(path = '/', target: BrowserContext = context): Promise<{ page: Page; problems: string[] }> {
    const page = await target.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${server.url}${path}`);
    // Either the app (signed in by the context's cookie) or the login page, once the guard has decided.
    await page.locator('[data-testid="login-username"], [data-testid="logout"]').first().waitFor();
    if (page.url().includes('/login')) {
      await page.getByTestId('login-username').fill(TEST_ADMIN.username);
      await page.getByTestId('login-password').fill(TEST_ADMIN.password);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    }
    return { page, problems };
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('opens the login page first, refuses a wrong password in words, and keeps the session in an httpOnly cookie', async () => {
    const own = await browser.newContext();
    const page = await own.newPage();
    await page.goto(`${server.url}/strategies`);
    await page.waitForURL(/\/login\?next=%2Fstrategies/);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('login-error').textContent()).resolves.toMatch(/401.*wrong user name or password/);
    await shoot(page, 'login');
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/strategies$/);
    const cookies = await own.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'tradeloop_session', httpOnly: true, sameSite: 'Strict' })]);
    // Script on the page cannot read the session.
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    const after = await own.request.get(`${server.url}/api/strategies`);
    expect(after.status()).toBe(401);
    await own.close();
  });

  it('shows the server status and the plugins on Settings, with no script or CSP errors', async () => {
    const { page, problems } = await signedInPage('/settings');
    await page.getByTestId('server-status').filter({ hasText: 'ok' }).waitFor({ timeout: 10000 });
    const rows = page.getByTestId('plugin-row');
    await rows.first().waitFor();
    expect(await rows.allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('paper-broker'),
        expect.stringContaining('ws-data-feed'),
        expect.stringMatching(/tradovate.*broker \+ datafeed.*started/),
      ]),
    );
    // This browser's own session, marked as such.
    await page.getByTestId('session-row').filter({ hasText: 'this browser' }).waitFor();
    await shoot(page, 'settings');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('creates a strategy, shows and copies its hidden webhook URL, and shows a webhook trade live in the Control Center', async () => {
    const { page, problems } = await signedInPage('/strategies');
    await page.getByTestId('strategy-row').first().waitFor();
    await shoot(page, 'strategies');
    await page.getByTestId('new-strategy-name').fill('E2E NQ');
    await page.getByTestId('create-strategy').click();
    await page.waitForURL(/\/strategies\/[0-9a-f-]{36}$/);
    // The URL is a secret: hidden but for its last 4 characters until asked for, copyable either way.
    const masked = (await page.getByTestId('webhook-url').textContent())!.trim();
    expect(masked).toMatch(/\/webhooks\/•{28}[A-Za-z0-9_-]{4}$/);
    await page.getByTestId('copy-webhook-url').click();
    const copied = await page.evaluate('navigator.clipboard.readText()');
    expect(copied).toMatch(/\/webhooks\/[A-Za-z0-9_-]{32}$/);
    await page.getByTestId('show-webhook-url').click();
    await page.getByTestId('webhook-url').filter({ hasNotText: '•' }).waitFor();
    const shownUrl = (await page.getByTestId('webhook-url').textContent())!.trim();
    expect(shownUrl).toBe(copied);
    expect(shownUrl.slice(-4)).toBe(masked.slice(-4));
    await page.getByTestId('copy-webhook-url').click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(shownUrl);
    expect(await page.getByTestId('alert-message').textContent()).toContain('{{strategy.order.action}}');
    await shoot(page, 'strategy-detail');

    const control = await context.newPage();
    await control.goto(`${server.url}/control`);
    const row = control.locator('[data-testid="control-row"][data-strategy="E2E NQ"]');
    await row.waitFor();
    await expect(row.getByTestId('row-position').textContent()).resolves.toBe('flat');

    // The webhook, as TradingView would send it, to the URL the page showed.
    const market = server.app.get(MarketService);
    market.publish({ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
    const path = new URL(shownUrl).pathname;
    expect((await http(server.url, 'POST', path, { ticker: 'NQ1!', action: 'buy', quantity: 2 })).status).toBe(202);
    await row.getByTestId('row-position').filter({ hasText: '+2 NQ1!' }).waitFor({ timeout: 10000 });
    // The accepted alert is the strategy's last signal, shown as a time of day in the trading zone.
    await expect(row.getByTestId('row-last-signal').textContent()).resolves.toMatch(/^\s*\d\d:\d\d:\d\d\s*$/);
    // Marked at the bid: (25010 − 25000.25) / 0.25 × $5 × 2 = +$390.00, live, without a reload.
    market.publish({ ticker: 'NQ1!', bid: 25010, ask: 25010.25, time: Date.now() });
    await row.getByTestId('row-open').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    await control.getByTestId('log-line').filter({ hasText: 'filled buy 2 NQ1!' }).first().waitFor({ timeout: 10000 });
    await shoot(control, 'control-center');
    expect(problems).toEqual([]);
    await control.close();
    await page.close();
  });

  it('shows the closed round trip live on the Dashboard: history row, summary numbers, and the calendar day with its trade', async () => {
    const { page, problems } = await signedInPage('/dashboard');
    await page.getByTestId('summary-trades').filter({ hasText: '0 trades' }).waitFor({ timeout: 10000 });
    await page.getByTestId('trade-history').waitFor();
    const strategy = ((await http(server.url, 'GET', '/api/strategies')).body as any[]).find((s) => s.name === 'E2E NQ');

    // Close the +2 from the last test at the bid: (25010 − 25000.25) / 0.25 × $5 × 2 = +$390.00.
    const market = server.app.get(MarketService);
    market.publish({ ticker: 'NQ1!', bid: 25010, ask: 25010.25, time: Date.now() });
    expect((await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'exit' })).status).toBe(202);

    // No reload: the trade appears in the history, and the numbers follow.
    const history = page.getByTestId('trade-history');
    const row = history.getByTestId('trade-row').filter({ hasText: '+$390.00' });
    await row.waitFor({ timeout: 10000 });
    expect(await row.textContent()).toMatch(/E2E NQ.*long 2 NQ1!.*25,000\.25.*25,010\.00/);
    await page.getByTestId('summary-trades').filter({ hasText: '1 trade' }).waitFor({ timeout: 10000 });
    await page.getByTestId('summary-total').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    await page.getByTestId('summary-today').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    await expect(page.getByTestId('summary-win-rate').textContent()).resolves.toContain('100%');
    // The chart grows from the live P&L pushes.
    await page.locator('[data-testid="pnl-chart"] canvas').waitFor({ timeout: 10000 });

    // The calendar shows today's trading day (in the server's zone) green with the trade.
    const { tradingDay } = (await http(server.url, 'GET', '/api/pnl/summary')).body;
    const day = page.locator(`[data-testid="calendar-day"][data-date="${tradingDay}"]`);
    await day.filter({ hasText: '1 trade' }).waitFor({ timeout: 10000 });
    expect(await day.textContent()).toContain('+$390.00');
    expect(await day.getAttribute('class')).toContain('good');
    await expect(page.getByTestId('calendar-total').textContent()).resolves.toContain('+$390.00');
    // A click lists that day's trades.
    await day.click();
    const dayTrades = page.getByTestId('day-trades');
    await dayTrades.getByTestId('trade-row').first().waitFor({ timeout: 10000 });
    expect(await dayTrades.getByTestId('trade-row').allTextContents()).toEqual([expect.stringContaining('+$390.00')]);
    await shoot(page, 'dashboard');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a strategy's own chart, calendar, trades and log on its page", async () => {
    const strategy = ((await http(server.url, 'GET', '/api/strategies')).body as any[]).find((s) => s.name === 'E2E NQ');
    const { page, problems } = await signedInPage(`/strategies/${strategy.id}`);
    await page.getByTestId('trade-history').getByTestId('trade-row').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    await page.getByTestId('summary-total').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    await page.locator('[data-testid="pnl-chart"] canvas').waitFor({ timeout: 10000 });
    await page.locator('[data-testid="calendar-day"].has-trades').first().waitFor();
    await page.getByTestId('log-line').filter({ hasText: 'filled sell 2 NQ1!' }).first().waitFor({ timeout: 10000 });
    await page.getByTestId('range-1W').click();
    await page.locator('[data-testid="range-1W"][aria-pressed="true"]').waitFor();
    await shoot(page, 'strategy-performance');

    // The trade's journal, from its row: tags and a note saved, a tag the server refuses shown in words.
    const row = page.getByTestId('trade-history').getByTestId('trade-row').filter({ hasText: '+$390.00' });
    const tradeId = await row.getAttribute('data-trade');
    await row.getByTestId('journal-open').click();
    const editor = page.getByTestId('journal-editor');
    await editor.getByTestId('journal-save').and(page.locator(':enabled')).waitFor();
    await editor.getByTestId('journal-tags').fill('Breakout, A+ setup, breakout');
    await editor.getByTestId('journal-note').fill('waited for the retest');
    await editor.getByTestId('journal-save').click();
    await editor.getByTestId('journal-saved').waitFor();
    expect((await http(server.url, 'GET', `/api/journal/trades/${tradeId}`)).body).toEqual(
      expect.objectContaining({ tags: ['breakout', 'a+ setup'], note: 'waited for the retest' }),
    );
    await editor.getByTestId('journal-tags').fill('breakout, <script>');
    await editor.getByTestId('journal-save').click();
    await expect(editor.getByTestId('journal-error').textContent()).resolves.toMatch(/tag/i);
    expect((await http(server.url, 'GET', `/api/journal/trades/${tradeId}`)).body.tags).toEqual(['breakout', 'a+ setup']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('edits a script: a syntax error is shown at its line, a good script saves, and a strategy runs it with its params', async () => {
    const { page, problems } = await signedInPage('/scripts');
    await page.getByTestId('new-script-name').fill('e2e-filter');
    await page.getByTestId('new-script').click();
    await page.waitForURL(/\/scripts\/e2e-filter\.ts$/);
    await page.getByTestId('script-state').filter({ hasText: 'not saved yet' }).waitFor();
    const editor = page.getByTestId('code-input');
    await editor.fill(['export default defineStrategy({', '  onWebhook(alert, ctx) {', '    const x = ;', '  },', '});', ''].join('\n'));
    await page.getByTestId('save-script').click();
    await expect(page.getByTestId('script-error').textContent()).resolves.toMatch(/Not saved: syntax error at line 3, column \d+/);
    // Inline, at the line: the line number marked, the message under it.
    await expect(page.getByTestId('code-problem').textContent()).resolves.toMatch(/^\s*3:\d+ /);
    await expect(page.locator('.code-number.bad-line').textContent()).resolves.toBe('3');
    await shoot(page, 'script-editor-error');
    // Not written: the list does not have it.
    expect(((await http(server.url, 'GET', '/api/scripts')).body as any[]).map((s) => s.name)).not.toContain('e2e-filter.ts');

    const good = [
      '// Buys on buy alerts only.',
      'export default defineStrategy({',
      "  params: { qty: 1, note: 'e2e' },",
      '  onWebhook(alert, ctx) {',
      "    if (alert.action === 'buy') ctx.buy(alert.ticker, ctx.params.qty);",
      '  },',
      '});',
      '',
    ].join('\n');
    await editor.fill(good);
    await expect(page.locator('[data-testid="code-problem"]').count()).resolves.toBe(0);
    await page.getByTestId('save-script').click();
    await page.getByTestId('script-notice').filter({ hasText: 'Created e2e-filter.ts' }).waitFor({ timeout: 10000 });
    await page
      .getByTestId('script-state')
      .filter({ hasText: /^\s*saved\s*$/ })
      .waitFor();

    // A deep link to the file (a path with a dot) opens the editor with it, highlighted.
    await page.goto(`${server.url}/scripts/e2e-filter.ts`);
    await page.getByTestId('script-meta').waitFor();
    await expect(editor.inputValue()).resolves.toBe(good);
    await expect(page.locator('.tk-keyword').first().textContent()).resolves.toBe('export');
    await expect(page.locator('.tk-comment').first().textContent()).resolves.toBe('// Buys on buy alerts only.');
    await expect(page.locator('.tk-string').first().textContent()).resolves.toBe("'e2e'");
    await expect(page.getByTestId('script-meta').textContent()).resolves.toContain('qty=1');
    await shoot(page, 'script-editor');

    // Link a strategy to it and set a param through typed inputs.
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'E2E scripted' })).body;
    await page.goto(`${server.url}/strategies/${strategy.id}`);
    await page.getByTestId('strategy-script').selectOption('e2e-filter.ts');
    const qty = page.locator('[data-param="qty"]');
    await expect(qty.getAttribute('type')).resolves.toBe('number');
    await qty.fill('3');
    await page.getByTestId('save-strategy').click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body;
    expect([saved.script, saved.params]).toEqual(['e2e-filter.ts', { qty: 3 }]);
    await shoot(page, 'strategy-script');

    await page.goto(`${server.url}/scripts`);
    await page.locator('[data-testid="script-row"][data-script="e2e-filter.ts"]').filter({ hasText: 'E2E scripted' }).waitFor();
    await shoot(page, 'scripts');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a failing strategy loudly and its failed alert as a dead letter that can be dismissed', async () => {
    expect(
      (
        await http(server.url, 'PUT', '/api/scripts/e2e-thrower.ts', {
          source: "export default defineStrategy({ onWebhook() { throw new Error('e2e boom'); } });",
        })
      ).status,
    ).toBe(200);
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'E2E failing', script: 'e2e-thrower.ts' })).body;
    const { page, problems } = await signedInPage('/control');
    await page.getByTestId('no-dead-letters').waitFor();
    expect((await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy' })).status).toBe(202);

    const letter = page.getByTestId('dead-letter').filter({ hasText: 'E2E failing' });
    await letter.waitFor({ timeout: 10000 });
    expect(await letter.textContent()).toContain('e2e boom');
    await page.getByTestId('errored-banner').filter({ hasText: 'E2E failing' }).waitFor({ timeout: 10000 });
    const row = page.locator('[data-testid="control-row"][data-strategy="E2E failing"]');
    await expect(row.getByTestId('row-status').textContent()).resolves.toBe('errored');
    await shoot(page, 'control-center-errored');
    await letter.getByTestId('dismiss-event').click();
    await page.getByTestId('no-dead-letters').waitFor({ timeout: 10000 });
    expect(((await http(server.url, 'GET', '/api/events?status=failed')).body as any[]).length).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lists live quotes on the Market page', async () => {
    const { page } = await signedInPage('/market');
    const market = server.app.get(MarketService);
    market.publish({ ticker: 'ES1!', bid: 6800, ask: 6800.25, time: Date.now() });
    const row = page.locator('[data-testid="quote-row"][data-ticker="ES1!"]');
    await row.getByTestId('quote-bid').filter({ hasText: '6,800.00' }).waitFor({ timeout: 10000 });
    await shoot(page, 'market');
    await page.close();
  });

  it('edits the watchlist on the Market page: adds a ticker, refuses a bad one in words, removes one, and keeps it', async () => {
    const { page, problems } = await signedInPage('/market');
    const tickers = page.getByTestId('watchlist-ticker');
    await tickers.first().waitFor();
    expect(await tickers.allTextContents()).toEqual(['NQ1!', 'MNQ1!', 'ES1!', 'MES1!'].map((t) => expect.stringContaining(t)));
    await page.getByTestId('watchlist-input').fill('nymex:cl1!');
    await page.getByTestId('watchlist-add').click();
    await page.locator('[data-testid="watchlist-ticker"][data-ticker="CL1!"]').waitFor();
    await page.getByTestId('watchlist-input').fill('<b>');
    await page.getByTestId('watchlist-add').click();
    await expect(page.getByTestId('watchlist-error').textContent()).resolves.toMatch(/400.*tickers\[5\].*not a symbol/);
    await page.locator('[data-testid="watchlist-ticker"][data-ticker="MNQ1!"]').getByTestId('watchlist-remove').click();
    await page.locator('[data-testid="watchlist-ticker"][data-ticker="MNQ1!"]').waitFor({ state: 'detached' });
    await shoot(page, 'market-watchlist');
    // Kept by the server: a reload shows the same list.
    await page.reload();
    await page.locator('[data-testid="watchlist-ticker"][data-ticker="CL1!"]').waitFor();
    expect((await page.getByTestId('watchlist-ticker').allTextContents()).map((t) => t.replace('×', '').trim())).toEqual([
      'NQ1!',
      'ES1!',
      'MES1!',
      'CL1!',
    ]);
    expect((await http(server.url, 'GET', '/api/market/watchlist')).body.tickers).toEqual(['NQ1!', 'ES1!', 'MES1!', 'CL1!']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trades by hand: live bid/ask, a market order, the position and its P&L live, Reverse, a refused order in words, Flatten to flat', async () => {
    const market = server.app.get(MarketService);
    market.publish({ ticker: 'NQ1!', bid: 25100, ask: 25100.25, time: Date.now() });
    const paper = ((await http(server.url, 'GET', '/api/accounts')).body as any[])[0];
    const { page, problems } = await signedInPage('/trader');
    // The page asks for the ticker (typed in any spelling) and shows its quote with the spread.
    await page.getByTestId('trader-ticker').fill('cme_mini:nq1!');
    await page.locator('[data-testid="trader-quote"][data-ticker="NQ1!"]').waitFor({ timeout: 10000 });
    await page.getByTestId('trader-bid').filter({ hasText: '25,100.00' }).waitFor({ timeout: 10000 });
    await expect(page.getByTestId('trader-ask').textContent()).resolves.toBe('25,100.25');
    await expect(page.getByTestId('trader-spread').textContent()).resolves.toBe('0.25 (1 tick)');
    await expect(page.getByTestId('trader-account').inputValue()).resolves.toBe(paper.id);
    // Live: a new quote moves the numbers without a reload.
    market.publish({ ticker: 'NQ1!', bid: 25100.5, ask: 25101.25, time: Date.now() });
    await page.getByTestId('trader-spread').filter({ hasText: '0.75 (3 ticks)' }).waitFor({ timeout: 10000 });
    market.publish({ ticker: 'NQ1!', bid: 25100, ask: 25100.25, time: Date.now() });
    await page.getByTestId('trader-spread').filter({ hasText: '0.25 (1 tick)' }).waitFor({ timeout: 10000 });

    // A market buy of 2 fills at the ask; the position appears live, marked at the bid: −1 tick × $5 × 2 = −$10.00.
    await page.getByTestId('trader-quantity').fill('2');
    await page.getByTestId('trader-buy').click();
    await page.getByTestId('trader-position').filter({ hasText: '+2' }).waitFor({ timeout: 10000 });
    // The amount and its colour in one look (two reads could straddle a render).
    await page.locator('[data-testid="trader-open-pnl"] .money.bad').filter({ hasText: '−$10.00' }).waitFor({ timeout: 10000 });
    // (25110 − 25100.25) / 0.25 × $5 × 2 = +$390.00, green.
    market.publish({ ticker: 'NQ1!', bid: 25110, ask: 25110.25, time: Date.now() });
    await page.locator('[data-testid="trader-open-pnl"] .money.good').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    const held = async () =>
      ((await http(server.url, 'GET', `/api/positions?accountId=${paper.id}&includeFlat=true`)).body as any[]).find(
        (p) => p.ticker === 'NQ1!' && p.strategyId === null,
      );
    expect(await held()).toEqual(expect.objectContaining({ quantity: 2, avgPrice: 25100.25 }));
    await shoot(page, 'trader');

    // Refused before it is placed (400): the server's reason, in words.
    await page.getByTestId('trader-quantity').fill('1.5');
    await page.getByTestId('trader-buy').click();
    await expect(page.getByTestId('trader-error').textContent()).resolves.toMatch(/400: quantity must be a whole number of contracts/);
    // Placed and refused by a risk limit: it comes back rejected, and the page says why.
    expect((await http(server.url, 'PATCH', `/api/accounts/${paper.id}`, { risk: { maxPositionSize: 3 } })).status).toBe(200);
    await page.getByTestId('trader-quantity').fill('2');
    await page.getByTestId('trader-buy').click();
    await page.getByTestId('trader-error').filter({ hasText: 'refused' }).waitFor({ timeout: 10000 });
    expect(await page.getByTestId('trader-error').textContent()).toMatch(
      /risk limit: account "[^"]+" may hold at most 3 in NQ1!; this order would make it 4/,
    );
    await shoot(page, 'trader-refused');
    expect((await http(server.url, 'PATCH', `/api/accounts/${paper.id}`, { risk: null })).status).toBe(200);
    expect((await held()).quantity).toBe(2);

    // A working limit order is listed, and cancelled from the list.
    await page.getByTestId('trader-quantity').fill('1');
    await page.getByTestId('trader-type').selectOption('limit');
    await page.getByTestId('trader-price').fill('25000');
    await page.getByTestId('trader-buy').click();
    const working = page.getByTestId('trader-working-order').filter({ hasText: 'buy 1 NQ1! limit @ 25,000.00' });
    await working.waitFor({ timeout: 10000 });
    const orderId = await working.getAttribute('data-order');
    await working.getByTestId('cancel-order').click();
    await working.waitFor({ state: 'detached', timeout: 10000 });
    expect(
      ((await http(server.url, 'GET', `/api/orders?accountId=${paper.id}&limit=50`)).body.items as any[]).find((o) => o.id === orderId),
    ).toEqual(expect.objectContaining({ status: 'cancelled' }));
    await page.getByTestId('trader-type').selectOption('market');

    // Reverse: +2 becomes −2.
    await page.getByTestId('trader-reverse').click();
    await page.getByTestId('trader-position').filter({ hasText: '−2' }).waitFor({ timeout: 10000 });
    // Flatten: flat on the page, and 0 at the server.
    await page.getByTestId('trader-flatten').click();
    await page.getByTestId('trader-position').filter({ hasText: 'flat' }).waitFor({ timeout: 10000 });
    await page.getByTestId('trader-notice').filter({ hasText: 'Flattened NQ1!' }).waitFor({ timeout: 10000 });
    expect((await held()).quantity).toBe(0);
    expect(
      ((await http(server.url, 'GET', `/api/positions?accountId=${paper.id}`)).body as any[]).filter((p) => p.ticker === 'NQ1!'),
    ).toEqual([]);
    await expect(page.getByTestId('trader-open-pnl').textContent()).resolves.toContain('$0.00');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("saves a strategy's links, exits and risk limits, round-trips them through the API, and shows a refused save in words", async () => {
    const copy = await http(server.url, 'POST', '/api/accounts', {
      name: 'E2E Copy',
      broker: 'paper-broker',
      brokerAccountId: 'e2e-copy',
      startingBalance: 10000,
    });
    expect(copy.status).toBe(201);
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'E2E controls' })).body;
    const { page, problems } = await signedInPage(`/strategies/${strategy.id}`);
    await page.getByTestId('no-links').waitFor({ timeout: 10000 });
    await page.getByTestId('add-link').click();
    const link = page.getByTestId('link-row');
    // The strategy's own account is its recorder: the only other account is picked.
    await expect(link.getByTestId('link-account').inputValue()).resolves.toBe(copy.body.id);
    await link.getByTestId('link-multiplier').fill('2');
    await link.getByTestId('link-symbol').fill('MNQ1!');
    await link.getByTestId('link-inverse').check();
    await page.getByTestId('exit-tp').fill('40');
    await page.getByTestId('exit-sl').fill('5');
    await page.getByTestId('exit-sl-kind').selectOption('points');
    await page.getByTestId('exit-breakeven').fill('8');
    await page.getByTestId('exit-trailing').fill('12');
    await page.getByTestId('risk-max-position').fill('3');
    await page.getByTestId('risk-max-orders').fill('10');
    await page.getByTestId('risk-max-loss').fill('500');
    await page.getByTestId('risk-max-profit').fill('1500');
    await page.getByTestId('risk-window-start').fill('09:30');
    await page.getByTestId('risk-window-end').fill('15:55');
    await page.getByTestId('risk-flatten-at').fill('15:50');
    await page.getByTestId('risk-time-zone').fill('America/New_York');
    await page.getByTestId('save-strategy').click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 10000 });
    const expected = {
      links: [{ id: expect.any(String), accountId: copy.body.id, multiplier: 2, symbolOverride: 'MNQ1!', inverse: true, enabled: true }],
      exits: { takeProfit: { ticks: 40 }, stopLoss: { points: 5 }, breakEvenTicks: 8, trailingTicks: 12 },
      risk: {
        maxPositionSize: 3,
        maxOrdersPerMinute: 10,
        maxDailyLoss: 500,
        maxDailyProfit: 1500,
        tradingWindow: { start: '09:30', end: '15:55' },
        flattenAt: '15:50',
        timeZone: 'America/New_York',
      },
    };
    const saved = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body;
    expect({
      links: saved.links.map(({ id, accountId, multiplier, symbolOverride, inverse, enabled }: any) => ({
        id,
        accountId,
        multiplier,
        symbolOverride,
        inverse,
        enabled,
      })),
      exits: saved.exits,
      risk: saved.risk,
    }).toEqual(expected);

    // Read back into the form after a reload.
    await page.reload();
    await page.getByTestId('link-row').waitFor({ timeout: 10000 });
    await expect(page.getByTestId('link-symbol').inputValue()).resolves.toBe('MNQ1!');
    await expect(page.getByTestId('link-inverse').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('exit-sl-kind').inputValue()).resolves.toBe('points');
    await expect(page.getByTestId('risk-max-loss').inputValue()).resolves.toBe('500');
    await expect(page.getByTestId('risk-window-start').inputValue()).resolves.toBe('09:30');
    await shoot(page, 'strategy-controls');

    // A save the server refuses says why, and changes nothing.
    await page.getByTestId('risk-time-zone').fill('Mars/Olympus');
    await page.getByTestId('link-enabled').uncheck();
    await page.getByTestId('save-strategy').click();
    await expect(page.getByTestId('save-error').textContent()).resolves.toMatch(/400: risk\.timeZone must be an IANA zone/);
    const after = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body;
    expect([after.risk.timeZone, after.links[0].enabled]).toEqual(['America/New_York', true]);

    // Removing the link and clearing the exits saves too.
    await page.getByTestId('risk-time-zone').fill('');
    await page.getByTestId('remove-link').click();
    for (const id of ['exit-tp', 'exit-sl', 'exit-breakeven', 'exit-trailing']) await page.getByTestId(id).fill('');
    await page.getByTestId('save-strategy').click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 10000 });
    const cleared = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body;
    expect([cleared.links, cleared.exits, cleared.risk.timeZone, cleared.risk.maxDailyLoss]).toEqual([[], null, undefined, 500]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('engages the kill switch from Settings after a confirm step (every strategy disabled, orders refused), and releases it', async () => {
    expect(((await http(server.url, 'GET', '/api/strategies')).body as any[]).some((s) => s.enabled)).toBe(true);
    const { page, problems } = await signedInPage('/settings');
    await page.getByTestId('kill-switch-state').filter({ hasText: 'released' }).waitFor({ timeout: 10000 });
    await page.getByTestId('engage-kill-switch').click();
    // Nothing happens until confirmed; Cancel steps back.
    await page.getByTestId('cancel-kill-switch').click();
    expect((await http(server.url, 'GET', '/api/kill-switch')).body.engaged).toBe(false);
    await page.getByTestId('engage-kill-switch').click();
    await page.getByTestId('kill-reason').fill('e2e: stepping away');
    await page.getByTestId('confirm-kill-switch').click();
    await page.getByTestId('kill-switch-state').filter({ hasText: 'engaged' }).waitFor({ timeout: 10000 });
    await expect(page.getByTestId('kill-switch-notice').textContent()).resolves.toMatch(/Kill switch engaged: \d+ strateg(y|ies) disabled/);
    expect(await page.getByTestId('kill-switch').textContent()).toContain('e2e: stepping away');
    expect((await http(server.url, 'GET', '/api/kill-switch')).body).toEqual(
      expect.objectContaining({ engaged: true, reason: 'e2e: stepping away' }),
    );
    const strategies = (await http(server.url, 'GET', '/api/strategies')).body as any[];
    expect(strategies.length).toBeGreaterThan(0);
    expect(strategies.filter((s) => s.enabled)).toEqual([]);
    await shoot(page, 'settings-kill-switch');

    // The trader says so, and a new order comes back refused with the reason.
    const trader = await context.newPage();
    await trader.goto(`${server.url}/trader`);
    await trader.getByTestId('trader-kill-switch').waitFor({ timeout: 10000 });
    await trader.getByTestId('trader-buy').click();
    await expect(trader.getByTestId('trader-error').textContent()).resolves.toMatch(/refused.*the kill switch is engaged/);
    await trader.close();

    await page.getByTestId('release-kill-switch').click();
    await page.getByTestId('kill-switch-state').filter({ hasText: 'released' }).waitFor({ timeout: 10000 });
    expect((await http(server.url, 'GET', '/api/kill-switch')).body.engaged).toBe(false);
    // Strategies stay off until enabled by hand.
    expect(((await http(server.url, 'GET', '/api/strategies')).body as any[]).filter((s) => s.enabled)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("fits a phone screen: the Control Center, the Dashboard, the Manual Trader and a strategy's settings have no sideways page scroll", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const { page } = await signedInPage('/control', phone);
    await page.getByTestId('control-row').first().waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await shoot(page, 'control-center-phone');
    await page.goto(`${server.url}/dashboard`);
    await page.getByTestId('summary-trades').filter({ hasText: 'trade' }).waitFor();
    await page.getByTestId('calendar-day').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1);
    await shoot(page, 'dashboard-phone');
    await page.goto(`${server.url}/trader`);
    await page.getByTestId('trader-bid').filter({ hasText: /\d/ }).waitFor({ timeout: 10000 });
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1);
    await shoot(page, 'trader-phone');
    // A strategy's settings with a link, exits and risk limits filled in.
    const controls = ((await http(server.url, 'GET', '/api/strategies')).body as any[]).find((s) => s.name === 'E2E controls');
    const copy = ((await http(server.url, 'GET', '/api/accounts')).body as any[]).find((a) => a.name === 'E2E Copy');
    await http(server.url, 'PATCH', `/api/strategies/${controls.id}`, {
      links: [{ accountId: copy.id, multiplier: 2, symbolOverride: 'MNQ1!' }],
      exits: { takeProfit: { ticks: 40 }, stopLoss: { points: 5 } },
    });
    await page.goto(`${server.url}/strategies/${controls.id}`);
    await page.getByTestId('link-row').waitFor({ timeout: 10000 });
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1);
    await page.getByTestId('strategy-links').screenshot({ path: join(SCREENSHOTS, 'strategy-controls-phone.png') });
    await phone.close();
  });
});
