import { describe, expect, it } from '@jest/globals';
import { joinSecrets, parseChannelConfig, rateLimitOf, secretHint, splitSecrets } from './channel-config.js';
import { NOTIFICATION_KINDS } from './notification-events.js';

const DISCORD_URL = 'https://discord.com/api/webhooks/123456789012345678/AbC-def_123';

describe('channel config', () => {
  it('fills defaults: enabled, every kind, the type’s rate limit', () => {
    const parsed = parseChannelConfig({ type: 'discord', name: 'Trading room', webhookUrl: DISCORD_URL });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config).toMatchObject({ enabled: true, events: [...NOTIFICATION_KINDS] });
    expect(rateLimitOf(parsed.config)).toEqual({ perMinute: 30, burst: 5 });
  });

  it('refuses bad fields one by one, in words', () => {
    const parsed = parseChannelConfig({ type: 'telegram', name: '', botToken: 'nope', chatId: 'my chat', events: ['fills'] });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual([
      'name: must not be empty',
      expect.stringMatching(/^events\.0: /),
      'botToken: must be a bot token from @BotFather like 123456789:AAE…',
      'chatId: must be a numeric chat id or a @channelname',
    ]);
    expect(parseChannelConfig({ type: 'discord', name: 'x', webhookUrl: 'https://example.com/api/webhooks/1/x' })).toMatchObject({
      ok: false,
      problems: ['webhookUrl: must be a Discord webhook URL like https://discord.com/api/webhooks/<id>/<token>'],
    });
    expect(parseChannelConfig({ type: 'webhook', name: 'x', url: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
      problems: ['url: must be an http:// or https:// URL'],
    });
    expect(parseChannelConfig({ type: 'pager', name: 'x' })).toMatchObject({ ok: false });
  });

  it('keeps secrets apart for sealing and puts them back', () => {
    const parsed = parseChannelConfig({
      type: 'email',
      name: 'Me',
      host: 'smtp.example.com',
      username: 'me@example.com',
      password: 'app-password-1234',
      from: 'tradeloop@example.com',
      to: ['me@example.com'],
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const { settings, secrets } = splitSecrets(parsed.config);
    expect(secrets).toEqual({ password: 'app-password-1234' });
    expect(JSON.stringify(settings)).not.toContain('app-password');
    expect(joinSecrets(settings, secrets)).toEqual(parsed.config);
    expect(splitSecrets(joinSecrets(settings, secrets)).secrets).toEqual(secrets);
    expect(secretHint('app-password-1234')).toBe('••••1234');
    expect(secretHint('short')).toBe('••••');
  });

  it('treats the Discord webhook URL and the Telegram token as secrets', () => {
    const discord = parseChannelConfig({ type: 'discord', name: 'x', webhookUrl: DISCORD_URL });
    const telegram = parseChannelConfig({
      type: 'telegram',
      name: 'x',
      botToken: '123456789:AAE_abcdefghijklmnopqrstuvwxyz012',
      chatId: -1001234567890,
    });
    if (!discord.ok || !telegram.ok) throw new Error('valid configs refused');
    expect(splitSecrets(discord.config).secrets).toEqual({ webhookUrl: DISCORD_URL });
    expect(splitSecrets(telegram.config)).toMatchObject({
      secrets: { botToken: '123456789:AAE_abcdefghijklmnopqrstuvwxyz012' },
      settings: { chatId: -1001234567890 },
    });
  });
});
