import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { http, startServer, TEST_ADMIN, type TestServer } from './support/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The built admin, served by the real server, in a real headless Chromium. */
describe('admin in a browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
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
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A new browser page signed in through the login form; it collects page errors and CSP violations. */
  async function signedInPage(path = '/'): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${server.url}${path}`);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    return { page, problems };
  }

  it('opens the login page first, refuses a wrong password in words, and keeps the session in an httpOnly cookie', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/strategies`);
    await page.waitForURL(/\/login\?next=%2Fstrategies/);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('login-error').textContent()).resolves.toMatch(/401.*wrong user name or password/);
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/strategies$/);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'tradeloop_session', httpOnly: true, sameSite: 'Strict' })]);
    // Script on the page cannot read the session.
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    const after = await page.context().request.get(`${server.url}/api/strategies`);
    expect(after.status()).toBe(401);
    await page.close();
  });

  it('shows the server status and the plugins from /api/health, with no script or CSP errors', async () => {
    const { page, problems } = await signedInPage();
    await expect(page.getByTestId('server-status').textContent()).resolves.toBeTruthy();
    await page.getByTestId('server-status').filter({ hasText: 'ok' }).waitFor({ timeout: 10000 });
    const rows = page.getByTestId('plugin-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(4);
    expect(await rows.allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('paper-broker'),
        expect.stringContaining('sim-feed'),
        expect.stringContaining('ws-data-feed'),
        expect.stringMatching(/tradovate.*broker \+ datafeed.*started/),
      ]),
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lists strategies with their webhook URL, also on a deep link', async () => {
    const { page } = await signedInPage('/strategies');
    await page.getByText('Browser strategy').waitFor({ timeout: 10000 });
    expect(await page.content()).toContain('/webhooks/');
    await page.close();
  });
});
