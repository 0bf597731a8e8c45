import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { http, startServer, type TestServer } from './support/app.js';

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

  it('shows the server status and the plugins from /api/health', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await expect(page.getByTestId('server-status').textContent()).resolves.toBeTruthy();
    await page.getByTestId('server-status').filter({ hasText: 'ok' }).waitFor({ timeout: 10000 });
    const rows = page.getByTestId('plugin-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('paper-broker'), expect.stringContaining('sim-feed')]),
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists strategies with their webhook URL, also on a deep link', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/strategies`);
    await page.getByText('Browser strategy').waitFor({ timeout: 10000 });
    expect(await page.content()).toContain('/webhooks/');
    await page.close();
  });
});
