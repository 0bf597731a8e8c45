import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';
import { FakeDiscord, FakeTelegram, waitFor } from '../../support/notification-fakes.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

const DISCORD_URL = 'https://discord.com/api/webhooks/123456789012345678/fake-token_abc';

/**
 * Notifications through a real server: channels over REST (secrets sealed, never echoed), a fill
 * on the paper account reaching a local server that speaks Discord's Execute Webhook, and a
 * Telegram channel that is down while a notification is queued — across a restart.
 */
describe.each(['sqlite', 'postgres'] as const)('notifications from a running server (%s)', (kind) => {
  let databaseUrl = '';
  let dropDatabase: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-notify-'));
  const discord = new FakeDiscord();
  const telegram = new FakeTelegram();
  let server: TestServer;
  let ws: WsClient;
  let strategy: { id: string; webhookToken: string };
  let telegramPort = 0;

  const start = async () => {
    server = await startServer({
      dataDir,
      databaseUrl,
      overrides: { notifications: { discordBaseUrl: `http://127.0.0.1:${discord.port}`, retryBaseMs: 100 } },
    });
    ws = await connectWs(server.url);
    ws.send({ type: 'SUBSCRIBE', channels: ['FILL'] });
    await ws.next('SUBSCRIBED');
  };
  const channels = async () => (await http(server.url, 'GET', '/api/notifications/channels')).body as any[];

  beforeAll(async () => {
    if (kind === 'postgres') ({ url: databaseUrl, drop: dropDatabase } = await createPostgresDatabase());
    await discord.start();
    await telegram.start();
    telegramPort = telegram.port;
    await start();
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'NQ trend' })).body;
  });
  afterAll(async () => {
    await ws?.close();
    await server?.close();
    await discord.stop();
    await telegram.stop();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses bad channels with a 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'pager', name: 'x' }, /^type: Invalid discriminator value/],
      [{ type: 'discord', name: 'x', webhookUrl: 'https://example.com/hook' }, /webhookUrl: must be a Discord webhook URL/],
      [{ type: 'telegram', name: 'x', botToken: 'nope', chatId: 1 }, /botToken: must be a bot token from @BotFather/],
      [{ type: 'discord', name: 'x', webhookUrl: DISCORD_URL, events: ['fill', 'moon'] }, /events\.1/],
      [{ type: 'discord', name: '', webhookUrl: DISCORD_URL }, /name: must not be empty/],
      [{ type: 'email', name: 'x', host: 'smtp.example.com', from: 'not-an-address', to: ['a@example.com'] }, /from/],
      [{ type: 'discord', name: 'x', webhookUrl: DISCORD_URL, rateLimit: { perMinute: 100000, burst: 1 } }, /rateLimit\.perMinute/],
      ['text', /body must be a JSON object/],
    ];
    for (const [body, problem] of cases) {
      const response = await http(server.url, 'POST', '/api/notifications/channels', body);
      expect([response.status, response.body.message]).toEqual([400, expect.stringMatching(problem)]);
    }
    expect((await http(server.url, 'POST', '/api/notifications/channels/00000000-0000-4000-8000-000000000000/test')).status).toBe(404);
    expect((await http(server.url, 'GET', '/api/notifications/deliveries?limit=100000')).status).toBe(400);
    expect(await channels()).toEqual([]);
  });

  it('keeps secrets sealed: shown only as a hint, and a change that leaves them out keeps them', async () => {
    const made = await http(server.url, 'POST', '/api/notifications/channels', {
      type: 'discord',
      name: 'Trading room',
      webhookUrl: DISCORD_URL,
      events: ['fill', 'breach'],
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual(
      expect.objectContaining({
        type: 'discord',
        name: 'Trading room',
        enabled: true,
        events: ['fill', 'breach'],
        secrets: { webhookUrl: '••••_abc' },
      }),
    );
    expect(JSON.stringify(await channels())).not.toContain('fake-token');
    const renamed = await http(server.url, 'PATCH', `/api/notifications/channels/${made.body.id}`, { name: 'Desk', events: ['fill'] });
    expect([renamed.status, renamed.body.name, renamed.body.events, renamed.body.secrets]).toEqual([
      200,
      'Desk',
      ['fill'],
      { webhookUrl: '••••_abc' },
    ]);
    const retyped = await http(server.url, 'PATCH', `/api/notifications/channels/${made.body.id}`, { type: 'telegram' });
    expect([retyped.status, retyped.body.message]).toEqual([400, expect.stringMatching(/^type: a channel keeps its type/)]);
    // The test button: one attempt, answered with what Discord said.
    const tested = await http(server.url, 'POST', `/api/notifications/channels/${made.body.id}/test`);
    expect(tested.body).toEqual({ ok: true, reason: null });
    expect((discord.accepted.at(-1)!.body.embeds as any[])[0].title).toBe('Tradeloop test message');
  });

  it('tells a Telegram test what the service said when it refuses', async () => {
    const made = await http(server.url, 'POST', '/api/notifications/channels', {
      type: 'telegram',
      name: 'Wrong chat',
      botToken: telegram.token,
      chatId: 5,
      apiBaseUrl: telegram.apiBaseUrl,
    });
    const tested = await http(server.url, 'POST', `/api/notifications/channels/${made.body.id}/test`);
    expect(tested.body).toEqual({ ok: false, reason: expect.stringContaining('chat not found') });
    expect((await http(server.url, 'DELETE', `/api/notifications/channels/${made.body.id}`)).status).toBe(204);
  });

  it('delivers a Discord-shaped message for a fill within a second', async () => {
    const before = discord.accepted.length;
    const sentAt = Date.now();
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 2,
      price: 25000.25,
    });
    expect(hook.status).toBe(202);
    const fill = await ws.next('FILL', (m) => m.data.strategyId === strategy.id);
    await waitFor(() => discord.accepted.length > before, 5000, 'the Discord message');
    const message = discord.accepted[before];
    // From the alert's POST to Discord's receipt: the fill, the outbox row and the send.
    expect(message.at - sentAt).toBeLessThan(1000);
    expect(message.query.get('wait')).toBe('true');
    const embed = (message.body.embeds as any[])[0];
    expect(embed.title).toBe(`Filled: BUY 2 NQ1! @ ${fill.data.price}`);
    expect(embed.description).toBe('Paper is now long 2.');
    expect((message.body.allowed_mentions as any).parse).toEqual([]);
  });

  it('keeps a notification while its channel is down, across a restart, and delivers it when the channel is back', async () => {
    const made = await http(server.url, 'POST', '/api/notifications/channels', {
      type: 'telegram',
      name: 'Phone',
      botToken: telegram.token,
      chatId: 987654321,
      apiBaseUrl: telegram.apiBaseUrl,
      events: ['fill'],
    });
    expect(made.status).toBe(201);
    await telegram.stop();
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'sell',
      quantity: 2,
      price: 25010.25,
    });
    expect(hook.status).toBe(202);
    // Tried, failed, waiting in the outbox with the reason.
    const waiting = await eventually(
      async () => (await channels()).find((c) => c.id === made.body.id && c.pending === 1 && c.lastError),
      5000,
      'the pending notification',
    );
    expect(waiting.lastError).toMatch(/could not reach Telegram|Telegram did not answer/);
    await ws.close();
    await server.close({ keepData: true });
    await start();
    // Still down after the restart: still pending.
    await new Promise((r) => setTimeout(r, 500));
    expect((await channels()).find((c) => c.id === made.body.id).pending).toBe(1);
    await telegram.start(telegramPort);
    await waitFor(() => telegram.accepted.length > 0, 10000, 'the Telegram message after the channel came back');
    expect(String(telegram.accepted[0].body.text)).toContain('Filled: SELL 2 NQ1! @ 25010.25');
    expect(String(telegram.accepted[0].body.text)).toContain('realized +$400.00');
    await eventually(async () => (await channels()).find((c) => c.id === made.body.id).pending === 0, 5000, 'the outbox emptied');
    const deliveries = (await http(server.url, 'GET', '/api/notifications/deliveries?limit=10')).body as any[];
    expect(deliveries.find((d) => d.channelId === made.body.id)).toEqual(
      expect.objectContaining({ status: 'sent', attempts: expect.any(Number) }),
    );
    expect(deliveries.find((d) => d.channelId === made.body.id).attempts).toBeGreaterThan(1);
  });
});
