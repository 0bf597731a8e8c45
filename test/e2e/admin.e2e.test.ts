import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MarketService } from '../../apps/server/src/market/market.service.js';
import { http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    await http(server.url, 'POST', '/api/strategies', { name: 'Browser strategy' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
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
    await shoot(page, 'settings');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('creates a strategy, copies its webhook URL, and shows a webhook trade live in the Control Center', async () => {
    const { page, problems } = await signedInPage('/strategies');
    await page.getByTestId('new-strategy-name').fill('E2E NQ');
    await page.getByTestId('create-strategy').click();
    await page.waitForURL(/\/strategies\/[0-9a-f-]{36}$/);
    const shownUrl = (await page.getByTestId('webhook-url').textContent())!.trim();
    expect(shownUrl).toMatch(/\/webhooks\/[A-Za-z0-9_-]{32}$/);
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
    // Marked at the bid: (25010 − 25000.25) / 0.25 × $5 × 2 = +$390.00, live, without a reload.
    market.publish({ ticker: 'NQ1!', bid: 25010, ask: 25010.25, time: Date.now() });
    await row.getByTestId('row-open').filter({ hasText: '+$390.00' }).waitFor({ timeout: 10000 });
    await control.getByTestId('log-line').filter({ hasText: 'filled buy 2 NQ1!' }).first().waitFor({ timeout: 10000 });
    await shoot(control, 'control-center');
    expect(problems).toEqual([]);
    await control.close();
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

  it('fits a phone screen: the Control Center has no sideways page scroll', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const { page } = await signedInPage('/control', phone);
    await page.getByTestId('control-row').first().waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await shoot(page, 'control-center-phone');
    await phone.close();
  });
});
