import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { http, startServer, type TestServer } from '../../support/app.js';
import { FakeDiscord, waitFor } from '../../support/notification-fakes.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

/**
 * A broker plugin that reports its login as a file tells it: each new line of JSON in `control`
 * is passed to `reportStatus` as it is, the way a real broker plugin reports its socket and token.
 */
const STATUS_BROKER = `
import { readFileSync } from 'node:fs';
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    let seen = '';
    let timer;
    return {
      async start() {
        timer = setInterval(() => {
          let text = '';
          try { text = readFileSync(ctx.config.control, 'utf8'); } catch { return; }
          if (text === seen) return;
          const fresh = text.slice(seen.length).split('\\n').filter(Boolean);
          seen = text;
          for (const line of fresh) ctx.reportStatus(JSON.parse(line));
        }, 20);
      },
      async stop() { clearInterval(timer); },
      async placeOrder() { return { brokerOrderId: '', status: 'rejected', reason: 'not for orders' }; },
      async cancelOrder() { return false; },
    };
  },
};
`;

describe("a broker's connection and login, told to a channel", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-broker-status-'));
  const control = join(dir, 'control.jsonl');
  const discord = new FakeDiscord();
  let server: TestServer;
  let ws: WsClient;
  let lines = '';
  const report = (status: object) => {
    lines += `${JSON.stringify(status)}\n`;
    writeFileSync(control, lines);
  };
  const titles = () => discord.accepted.map((r) => String((r.body.embeds as { title: string }[])[0].title));

  beforeAll(async () => {
    const plugins = join(dir, 'plugins');
    mkdirSync(join(plugins, 'status-broker'), { recursive: true });
    writeFileSync(
      join(plugins, 'status-broker', 'package.json'),
      JSON.stringify({ name: 'status-broker', type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
    );
    writeFileSync(join(plugins, 'status-broker', 'index.js'), STATUS_BROKER);
    symlinkSync(resolve('plugins', 'paper-broker'), join(plugins, 'paper-broker'));
    await discord.start();
    server = await startServer({
      overrides: {
        plugins: { dir: plugins, settings: { 'status-broker': { control } } },
        notifications: { discordBaseUrl: `http://127.0.0.1:${discord.port}` },
      },
    });
    ws = await connectWs(server.url);
    ws.send({ type: 'SUBSCRIBE', channels: ['BROKER'] });
    await ws.next('SUBSCRIBED');
    const channel = await http(server.url, 'POST', '/api/notifications/channels', {
      type: 'discord',
      name: 'Ops',
      webhookUrl: `https://discord.com/api/webhooks/${discord.id}/${discord.token}`,
      events: ['connection', 'login-expiring'],
    });
    expect(channel.status).toBe(201);
  });
  afterAll(async () => {
    await ws?.close();
    await server?.close();
    await discord.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the login on /ws, and tells of a drop, the reconnect and a login about to expire', async () => {
    const later = Date.now() + 3_600_000;
    report({ account: 'trader1', connected: true, loginExpiresAt: later });
    const up = await ws.next('BROKER', (m) => m.data.connected);
    expect(up.data).toEqual(expect.objectContaining({ name: 'status-broker', account: 'trader1', error: null, loginExpiresAt: later }));
    report({ account: 'trader1', connected: false, error: 'socket closed (1006)', loginExpiresAt: later });
    await waitFor(() => titles().length === 1, 5000, 'the disconnect');
    report({ account: 'trader1', connected: true, loginExpiresAt: later });
    await waitFor(() => titles().length === 2, 5000, 'the reconnect');
    // A renewal that did not happen: ten minutes left on the token.
    const soon = Date.now() + 10 * 60_000;
    report({ account: 'trader1', connected: true, loginExpiresAt: soon });
    await waitFor(() => titles().length === 3, 5000, 'the expiring login');
    // The same expiry again is not told twice.
    report({ account: 'trader1', connected: true, loginExpiresAt: soon });
    await new Promise((r) => setTimeout(r, 300));
    expect(titles()).toEqual([
      'Broker status-broker (trader1) disconnected',
      'Broker status-broker (trader1) reconnected',
      'Broker login expiring: status-broker',
    ]);
    const embeds = discord.accepted.map((r) => (r.body.embeds as { description: string }[])[0].description);
    expect(embeds[0]).toBe('Broker status-broker (trader1) disconnected: socket closed (1006). Reconnecting.');
    expect(embeds[2]).toMatch(
      /^The status-broker login for trader1 expires in (9|10) min\. Sign in again before then, or orders will fail\.$/,
    );
  });
});
