import { afterEach, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseChannelConfig, type ChannelConfig } from '../../../apps/server/src/notifications/channel-config.js';
import type { Decision, RetryPolicy } from '../../../apps/server/src/notifications/delivery-policy.js';
import {
  MemoryOutbox,
  Notifier,
  sendTestMessage,
  type Delivery,
  type NotifierChannel,
} from '../../../apps/server/src/notifications/delivery.js';
import type { NotificationEvent } from '../../../apps/server/src/notifications/notification-events.js';
import { DiscordSender } from '../../../apps/server/src/notifications/senders/discord.js';
import { EmailSender } from '../../../apps/server/src/notifications/senders/email.js';
import { TelegramSender } from '../../../apps/server/src/notifications/senders/telegram.js';
import { WebhookSender } from '../../../apps/server/src/notifications/senders/webhook.js';
import { FakeDiscord, FakeReceiver, FakeTelegram, waitFor } from '../../support/notification-fakes.js';

const FAST: RetryPolicy = { maxAttempts: 30, baseDelayMs: 100, maxDelayMs: 300 };
const NY = 'America/New_York';

const fill = (n = 1): NotificationEvent => ({
  kind: 'fill',
  at: Date.parse('2026-03-17T14:03:12Z') + n,
  account: 'Apex 50K',
  strategy: 'NQ trend',
  ticker: 'NQ1!',
  side: 'buy',
  quantity: n,
  price: 21500.25,
  positionAfter: n,
  realizedPnlCents: null,
});

function channel(raw: Record<string, unknown>): ChannelConfig {
  const parsed = parseChannelConfig(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}

const discordConfig = (extra: Record<string, unknown> = {}) =>
  channel({
    type: 'discord',
    name: 'Trading room',
    webhookUrl: 'https://discord.com/api/webhooks/123456789012345678/fake-token_abc',
    ...extra,
  });

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function fake<T extends { start(port?: number): Promise<void>; stop(): Promise<void> }>(service: T, port?: number): Promise<T> {
  await service.start(port);
  cleanup.push(() => service.stop());
  return service;
}

function notifier(channels: NotifierChannel[], outbox = new MemoryOutbox(), policy = FAST) {
  const attempts: { delivery: Delivery; decision: Decision }[] = [];
  const n = new Notifier(channels, outbox, {
    timeZone: NY,
    policy,
    onAttempt: (delivery, decision) => attempts.push({ delivery, decision }),
  });
  cleanup.push(() => n.stop());
  return { notifier: n, outbox, attempts };
}

describe('Discord', () => {
  it('a fill arrives at the webhook as Discord documents it, within a second', async () => {
    const discord = await fake(new FakeDiscord());
    const { notifier: n, outbox } = notifier([
      { id: 'd', config: discordConfig(), sender: new DiscordSender({ webhookUrl: discord.webhookUrl }) },
    ]);
    const sentAt = Date.now();
    expect(await n.notify(fill())).toBe(1);
    await waitFor(() => discord.accepted.length === 1, 1000, 'the Discord message');
    expect(discord.accepted[0].at - sentAt).toBeLessThan(1000);
    const { body, query } = discord.accepted[0];
    expect(query.get('wait')).toBe('true');
    expect(body).toMatchObject({
      content: '🟢 Filled: BUY 1 NQ1! @ 21500.25',
      allowed_mentions: { parse: [] },
      embeds: [{ title: 'Filled: BUY 1 NQ1! @ 21500.25', description: 'Apex 50K is now long 1.', color: 0x2e7d32 }],
    });
    await waitFor(() => outbox.deliveries[0].status === 'sent', 1000, 'the delivery to be marked sent');
    expect(outbox.deliveries[0]).toMatchObject({ attempts: 1, lastError: null });
  });

  it("waits out a 429's retry_after, holding the messages behind it, and keeps their order", async () => {
    const discord = await fake(new FakeDiscord());
    discord.answerNext(() => null); // the first goes through
    discord.answerNext(() => FakeDiscord.rateLimited(0.4));
    const { notifier: n, attempts } = notifier([
      { id: 'd', config: discordConfig(), sender: new DiscordSender({ webhookUrl: discord.webhookUrl }) },
    ]);
    for (const i of [1, 2, 3]) await n.notify(fill(i));
    await waitFor(() => discord.accepted.length === 3, 3000, 'three messages');
    expect(discord.accepted.map((r) => (r.body.embeds as { title: string }[])[0].title)).toEqual([
      'Filled: BUY 1 NQ1! @ 21500.25',
      'Filled: BUY 2 NQ1! @ 21500.25',
      'Filled: BUY 3 NQ1! @ 21500.25',
    ]);
    const limited = discord.requests[1].at;
    expect(discord.requests[2].at - limited).toBeGreaterThanOrEqual(395);
    expect(attempts.find((a) => a.decision.action === 'retry')?.decision).toMatchObject({
      reason: 'Discord rate limit: retry after 0.4 s',
    });
  });

  it('gives up at once on a deleted webhook (404), as Discord asks', async () => {
    const discord = await fake(new FakeDiscord());
    const { notifier: n, outbox } = notifier([
      {
        id: 'd',
        config: discordConfig(),
        sender: new DiscordSender({ webhookUrl: discord.webhookUrl.replace('fake-token_abc', 'deleted') }),
      },
    ]);
    await n.notify(fill());
    await waitFor(() => outbox.deliveries[0].status === 'given-up', 2000, 'the give-up');
    expect(outbox.deliveries[0]).toMatchObject({
      attempts: 1,
      lastError: 'Discord says this webhook no longer exists (HTTP 404): make a new webhook URL',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(discord.requests).toHaveLength(1);
  });

  it('a notification queued while the channel is down arrives after it comes back', async () => {
    // Find a free port, then leave it closed: the channel is down.
    const probe = await fake(new FakeDiscord());
    const port = probe.port;
    await probe.stop();
    const url = probe.webhookUrl;
    const {
      notifier: n,
      outbox,
      attempts,
    } = notifier([{ id: 'd', config: discordConfig(), sender: new DiscordSender({ webhookUrl: url }) }]);
    await n.notify(fill(1));
    await n.notify(fill(2));
    await waitFor(() => attempts.length >= 3, 3000, 'a few failed attempts');
    expect(attempts[0].decision).toMatchObject({ action: 'retry', reason: 'could not reach Discord: ECONNREFUSED' });
    const back = await fake(new FakeDiscord(), port);
    await waitFor(() => back.accepted.length === 2, 3000, 'both messages after the channel came back');
    expect(back.accepted.map((r) => (r.body.embeds as { title: string }[])[0].title)).toEqual([
      'Filled: BUY 1 NQ1! @ 21500.25',
      'Filled: BUY 2 NQ1! @ 21500.25',
    ]);
    await waitFor(() => outbox.deliveries.every((d) => d.status === 'sent'), 1000, 'both sent');
    expect(outbox.deliveries.map((d) => d.status)).toEqual(['sent', 'sent']);
    expect(outbox.deliveries[0].attempts).toBeGreaterThanOrEqual(3);
  });

  it('gives up after the last attempt with the reason when the channel stays down', async () => {
    const probe = await fake(new FakeDiscord());
    await probe.stop();
    const { notifier: n, outbox } = notifier(
      [{ id: 'd', config: discordConfig(), sender: new DiscordSender({ webhookUrl: probe.webhookUrl }) }],
      new MemoryOutbox(),
      { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 40 },
    );
    await n.notify(fill());
    await waitFor(() => outbox.deliveries[0].status !== 'pending', 3000, 'the give-up');
    expect(outbox.deliveries[0]).toMatchObject({
      status: 'given-up',
      attempts: 3,
      lastError: 'gave up after 3 attempts: could not reach Discord: ECONNREFUSED',
    });
  });

  it("keeps to the channel's rate limit in a burst", async () => {
    const discord = await fake(new FakeDiscord());
    const config = discordConfig({ rateLimit: { perMinute: 600, burst: 2 } }); // 100 ms a message after two
    const { notifier: n } = notifier([{ id: 'd', config, sender: new DiscordSender({ webhookUrl: discord.webhookUrl }) }]);
    const start = Date.now();
    await Promise.all([1, 2, 3, 4, 5].map((i) => n.notify(fill(i))));
    await waitFor(() => discord.accepted.length === 5, 3000, 'five messages');
    const times = discord.accepted.map((r) => r.at);
    // A token bucket: two at once, then one a token (100 ms). The first token is taken after
    // `start`, and a message arrives after it leaves, so the n-th past the burst arrives no sooner
    // than `start` + n tokens. Measured from `start`, not from the first arrival: a busy machine may
    // deliver the first one late, which says nothing about the limit. Both sides read `Date.now`.
    for (let i = 2; i < 5; i++) expect(times[i] - start).toBeGreaterThanOrEqual((i - 1) * 100);
  });
});

describe('Telegram', () => {
  const config = (fakeApi: FakeTelegram, chatId: number | string = -1001234567890) =>
    channel({ type: 'telegram', name: 'Phone', botToken: fakeApi.token, chatId, apiBaseUrl: fakeApi.apiBaseUrl });
  const sender = (c: ChannelConfig) => (c.type === 'telegram' ? new TelegramSender(c) : null)!;

  it('sends sendMessage with chat_id and HTML text, and honours parameters.retry_after', async () => {
    const telegram = await fake(new FakeTelegram());
    telegram.answerNext(() => FakeTelegram.error(429, 'Too Many Requests: retry after 1', { retry_after: 1 }));
    const c = config(telegram);
    const { notifier: n, outbox } = notifier([{ id: 't', config: c, sender: sender(c) }]);
    await n.notify({
      kind: 'breach',
      at: Date.now(),
      account: 'Topstep <50K>',
      rule: 'trailing drawdown',
      reason: 'equity touched the floor',
      action: 'flatten-and-lock',
      until: null,
    });
    await waitFor(() => telegram.accepted.length === 1, 3000, 'the Telegram message');
    expect(telegram.accepted[0].at - telegram.requests[0].at).toBeGreaterThanOrEqual(995);
    expect(telegram.accepted[0].body).toMatchObject({ chat_id: -1001234567890, parse_mode: 'HTML' });
    expect(String(telegram.accepted[0].body.text)).toMatch(/^🔴 <b>Account locked: Topstep &lt;50K&gt;<\/b>\n/);
    // The outbox is updated once the answer is read, a moment after the fake has it.
    await waitFor(() => outbox.deliveries[0].status === 'sent', 1000, 'sent');
    expect(outbox.deliveries[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it("gives up on a wrong token, an unknown chat, and a group that moved, with Telegram's words", async () => {
    const telegram = await fake(new FakeTelegram());
    const wrongToken = new TelegramSender({
      botToken: '123456789:AAE_not-the-token-000000000000',
      chatId: '987654321',
      apiBaseUrl: telegram.apiBaseUrl,
    });
    expect(await sendTestMessage(wrongToken, NY)).toEqual({
      ok: false,
      retry: false,
      reason: 'Telegram refused the bot token (401): Unauthorized',
    });
    const unknownChat = sender(config(telegram, 555));
    expect(await sendTestMessage(unknownChat, NY)).toEqual({
      ok: false,
      retry: false,
      reason: 'Telegram answered 400: Bad Request: chat not found',
    });
    telegram.answerNext(() =>
      FakeTelegram.error(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1009876543210 }),
    );
    expect(await sendTestMessage(sender(config(telegram, '987654321')), NY)).toEqual({
      ok: false,
      retry: false,
      reason: 'the group became a supergroup: set the chat id to -1009876543210',
    });
    expect(await sendTestMessage(sender(config(telegram, '987654321')), NY)).toEqual({ ok: true });
    expect(String(telegram.accepted[0].body.text)).toContain('Tradeloop test message');
  });
});

describe('generic webhook', () => {
  it('posts the message and its event, signed, and retries a 503', async () => {
    const secret = 'a-signing-secret-of-32-characters!';
    const receiver = await fake(new FakeReceiver(secret));
    receiver.answerNext(() => ({ status: 503, headers: { 'retry-after': '0' } }));
    const config = channel({ type: 'webhook', name: 'n8n', url: receiver.url, signingSecret: secret, events: ['fill'] });
    const { notifier: n, outbox } = notifier([
      { id: 'w', config, sender: new WebhookSender({ url: receiver.url, signingSecret: secret }) },
    ]);
    await n.notify(fill());
    await waitFor(() => receiver.accepted.length === 1, 3000, 'the webhook');
    expect(receiver.accepted[0].headers['x-tradeloop-event']).toBe('fill');
    expect(receiver.accepted[0].body).toMatchObject({
      source: 'tradeloop',
      kind: 'fill',
      event: { kind: 'fill', ticker: 'NQ1!', quantity: 1 },
    });
    await waitFor(() => outbox.deliveries[0].status === 'sent', 1000, 'sent');
    expect(outbox.deliveries[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('email over SMTP', () => {
  interface Mail {
    from: string;
    to: string[];
    raw: string;
  }

  async function smtp(options: { failFirstRcpt?: number } = {}) {
    const mails: Mail[] = [];
    let rcptFailures = options.failFirstRcpt ?? 0;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'trader' && auth.password === 'app-password-1234') return callback(null, { user: auth.username });
        const error = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
        return callback(error);
      },
      onRcptTo(_address, _session, callback) {
        if (rcptFailures > 0) {
          rcptFailures--;
          return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        }
        return callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as AddressInfo).port;
    return { mails, port };
  }

  const target = (port: number, password = 'app-password-1234') => ({
    host: '127.0.0.1',
    port,
    security: 'none' as const,
    username: 'trader',
    password,
    from: 'tradeloop@example.com',
    to: ['me@example.com'],
  });

  it('logs in, sends the message, and retries a temporary 451', async () => {
    const { mails, port } = await smtp({ failFirstRcpt: 1 });
    const config = channel({ type: 'email', name: 'Me', ...target(port) });
    const { notifier: n, outbox, attempts } = notifier([{ id: 'e', config, sender: new EmailSender(target(port)) }]);
    await n.notify(fill());
    await waitFor(() => mails.length === 1, 5000, 'the email');
    expect(mails[0]).toMatchObject({ from: 'tradeloop@example.com', to: ['me@example.com'] });
    expect(mails[0].raw).toMatch(/^Subject: \[Tradeloop\] Filled: BUY 1 NQ1! @ 21500\.25\r?$/m);
    expect(mails[0].raw).toContain('Apex 50K is now long 1.');
    expect(attempts[0].decision).toMatchObject({ action: 'retry' });
    expect(attempts[0].delivery.lastError).toMatch(/^the SMTP server answered 451: /);
    await waitFor(() => outbox.deliveries[0].status === 'sent', 2000, 'sent');
  });

  it('gives up when the server refuses the login, without the password in the reason', async () => {
    const { mails, port } = await smtp();
    const outcome = await sendTestMessage(new EmailSender(target(port, 'wrong-password')), NY);
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(!outcome.ok && outcome.reason).toMatch(/^the SMTP server refused the login: .*535/);
    expect(!outcome.ok && outcome.reason).not.toContain('wrong-password');
    expect(mails).toEqual([]);
  });
});

describe('routing and restarts', () => {
  it('sends each event only to the enabled channels subscribed to its kind', async () => {
    const breaches = await fake(new FakeDiscord());
    const everything = await fake(new FakeDiscord());
    const muted = await fake(new FakeDiscord());
    const { notifier: n } = notifier([
      { id: 'b', config: discordConfig({ events: ['breach'] }), sender: new DiscordSender({ webhookUrl: breaches.webhookUrl }) },
      { id: 'a', config: discordConfig(), sender: new DiscordSender({ webhookUrl: everything.webhookUrl }) },
      { id: 'm', config: discordConfig({ enabled: false }), sender: new DiscordSender({ webhookUrl: muted.webhookUrl }) },
    ]);
    expect(await n.notify(fill())).toBe(1);
    expect(
      await n.notify({
        kind: 'breach',
        at: Date.now(),
        account: 'A',
        rule: 'daily loss limit',
        reason: 'r',
        action: 'no-new-entries',
        until: Date.now() + 1000,
      }),
    ).toBe(2);
    await waitFor(() => everything.accepted.length === 2 && breaches.accepted.length === 1, 2000, 'routed messages');
    expect((breaches.accepted[0].body.embeds as { title: string }[])[0].title).toBe('No new entries: A');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(muted.requests).toEqual([]);
  });

  it('a new notifier on the same outbox sends what the last one left pending (as after a restart)', async () => {
    const probe = await fake(new FakeDiscord());
    const port = probe.port;
    await probe.stop();
    const outbox = new MemoryOutbox();
    const first = notifier([{ id: 'd', config: discordConfig(), sender: new DiscordSender({ webhookUrl: probe.webhookUrl }) }], outbox);
    await first.notifier.notify(fill(7));
    await waitFor(() => first.attempts.length >= 1, 2000, 'a failed attempt');
    first.notifier.stop();
    const back = await fake(new FakeDiscord(), port);
    notifier([{ id: 'd', config: discordConfig(), sender: new DiscordSender({ webhookUrl: back.webhookUrl }) }], outbox);
    await waitFor(() => back.accepted.length === 1, 3000, 'the pending message');
    expect((back.accepted[0].body.embeds as { title: string }[])[0].title).toBe('Filled: BUY 7 NQ1! @ 21500.25');
  });
});
