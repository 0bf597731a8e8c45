import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';

/**
 * The live stream drops for a while: what happened meanwhile reaches the page by the reload after
 * the reconnect, not by the messages it missed. The page's socket runs through the browser's own
 * WebSocket to the real server; the test only withholds what the server sends, then cuts the line.
 */
describe('a page after its live stream drops', () => {
  let server: TestServer;
  let browser: Browser;
  let strategy: { id: string; name: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'Dropped', defaultTicker: 'NQ1!' })).body;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A signed-in page whose `/ws` connections the test can hold back and cut. */
  async function pageWithLine(path: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page: Page = await context.newPage();
    const line = { holding: false, connections: [] as WebSocketRoute[] };
    await page.routeWebSocket(/\/ws$/, (ws) => {
      line.connections.push(ws);
      const upstream = ws.connectToServer();
      upstream.onMessage((message) => {
        if (!line.holding) ws.send(message);
      });
    });
    await page.goto(`${server.url}/login?next=${encodeURIComponent(path)}`);
    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === path);
    return { page, line, close: () => context.close() };
  }

  it('shows a trade made while its messages were lost once the socket is back', async () => {
    const { page, line, close } = await pageWithLine('/control');
    const row = page.locator(`[data-testid="control-row"][data-strategy="${strategy.name}"]`);
    await row.getByTestId('row-position').filter({ hasText: 'flat' }).waitFor({ timeout: 10000 });
    await eventually(async () => line.connections.length === 1, 10000, 'the page on /ws');

    // The server's messages stop reaching the page; a trade happens.
    line.holding = true;
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { action: 'buy', quantity: 1, price: 25000 });
    expect(sent.status).toBe(202);
    await eventually(async () => (await http(server.url, 'GET', `/api/events/${sent.body.eventId}`)).body.status === 'done');
    await eventually(async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as { quantity: number }[]).some(
        (p) => p.quantity === 1,
      ),
    );
    // Its POSITION, FILL and LOG were withheld: the page cannot know yet.
    await page.waitForTimeout(500);
    expect(await row.getByTestId('row-position').textContent()).toBe('flat');

    // The line drops; the page reconnects by itself and loads what it missed.
    line.holding = false;
    await line.connections[0].close({ code: 4000, reason: 'the line dropped' });
    await row.getByTestId('row-position').filter({ hasText: '+1 NQ1! @ 25,000.00' }).waitFor({ timeout: 10000 });
    expect(line.connections.length).toBe(2);
    // The reload brought the accepted alert too: the last signal is no longer "never".
    expect(await row.getByTestId('row-last-signal').textContent()).not.toContain('never');
    await close();
  });
});
