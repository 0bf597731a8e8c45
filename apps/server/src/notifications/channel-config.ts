/**
 * A notification channel as a trader configures it, checked field by field. The fields in
 * `SECRET_FIELDS` (a Discord webhook URL is a credential: anyone holding it can post) are kept
 * apart by `splitSecrets` so they can be sealed at rest like broker credentials, and never shown
 * back in full.
 */
import { z } from 'zod';
import { NOTIFICATION_KINDS } from './notification-events.js';
import type { RateLimit } from './delivery-policy.js';

const name = z.string().trim().min(1, 'must not be empty').max(100);
const events = z
  .array(z.enum(NOTIFICATION_KINDS))
  .min(1, 'subscribe to at least one kind')
  .max(NOTIFICATION_KINDS.length)
  .transform((kinds) => [...new Set(kinds)])
  .default([...NOTIFICATION_KINDS]);
const rateLimit = z.strictObject({ perMinute: z.number().int().min(1).max(600), burst: z.number().int().min(1).max(100) });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000);

export const discordChannelSchema = z.strictObject({
  type: z.literal('discord'),
  name,
  enabled: z.boolean().default(true),
  events,
  rateLimit: rateLimit.optional(),
  /** From the channel's Integrations → Webhooks → Copy Webhook URL. */
  webhookUrl: z
    .string()
    .max(300)
    .regex(
      /^https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api(?:\/v\d+)?\/webhooks\/\d{1,25}\/[A-Za-z0-9_-]{1,100}$/,
      'must be a Discord webhook URL like https://discord.com/api/webhooks/<id>/<token>',
    ),
  /** Overrides the webhook's own name. */
  username: z.string().trim().min(1).max(80).optional(),
});

export const telegramChannelSchema = z.strictObject({
  type: z.literal('telegram'),
  name,
  enabled: z.boolean().default(true),
  events,
  rateLimit: rateLimit.optional(),
  /** From @BotFather: `123456789:AA…`. */
  botToken: z.string().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a bot token from @BotFather like 123456789:AAE…'),
  /** A user's or group's numeric id (groups are negative), or a public channel's @name. */
  chatId: z.union([
    z.number().int().refine(Number.isSafeInteger, 'must be a whole number'),
    z.string().regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, 'must be a numeric chat id or a @channelname'),
  ]),
  /** A topic in a forum group. */
  messageThreadId: z.number().int().positive().optional(),
  /** A self-hosted Bot API server, when you run one. */
  apiBaseUrl: httpUrl.default('https://api.telegram.org'),
});

export const webhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  name,
  enabled: z.boolean().default(true),
  events,
  rateLimit: rateLimit.optional(),
  url: httpUrl,
  /** Sent as the `Authorization` header. */
  authorization: z.string().min(1).max(1000).optional(),
  /** Signs each body: `X-Tradeloop-Signature: sha256=<hex HMAC of the body>`. */
  signingSecret: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
});

export const emailChannelSchema = z.strictObject({
  type: z.literal('email'),
  name,
  enabled: z.boolean().default(true),
  events,
  rateLimit: rateLimit.optional(),
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  /** `starttls` (port 587, required), `tls` (port 465), or `none` (a relay on your own network only). */
  security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(500).optional(),
  from: z.email().max(254),
  to: z.array(z.email().max(254)).min(1).max(10),
});

export const channelConfigSchema = z.discriminatedUnion('type', [
  discordChannelSchema,
  telegramChannelSchema,
  webhookChannelSchema,
  emailChannelSchema,
]);

export type ChannelConfig = z.infer<typeof channelConfigSchema>;
export type ChannelType = ChannelConfig['type'];

/** Fields sealed at rest and never shown back. */
export const SECRET_FIELDS = {
  discord: ['webhookUrl'],
  telegram: ['botToken'],
  webhook: ['authorization', 'signingSecret'],
  email: ['password'],
} as const satisfies Record<ChannelType, readonly string[]>;

/** Conservative defaults under each service's limits; a channel's `rateLimit` overrides. */
export const DEFAULT_RATE_LIMITS: Record<ChannelType, RateLimit> = {
  // Discord rate-limits each webhook (about 5 requests in 2 s when measured): stay well under.
  discord: { perMinute: 30, burst: 5 },
  // Telegram asks bots to keep to about one message a second per chat, 20 a minute in groups.
  telegram: { perMinute: 20, burst: 3 },
  webhook: { perMinute: 60, burst: 10 },
  email: { perMinute: 10, burst: 3 },
};

export const rateLimitOf = (config: ChannelConfig): RateLimit => config.rateLimit ?? DEFAULT_RATE_LIMITS[config.type];

/** Problems in words, one per bad field (`webhookUrl: must be …`), or the channel. */
export function parseChannelConfig(raw: unknown): { ok: true; config: ChannelConfig } | { ok: false; problems: string[] } {
  const parsed = channelConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(channel)'}: ${issue.message}`) };
}

/** The channel without its secrets, and the secrets alone (to seal). */
export function splitSecrets(config: ChannelConfig): { settings: Record<string, unknown>; secrets: Record<string, string> } {
  const settings: Record<string, unknown> = { ...config };
  const secrets: Record<string, string> = {};
  for (const field of SECRET_FIELDS[config.type]) {
    const value = settings[field];
    delete settings[field];
    if (typeof value === 'string') secrets[field] = value;
  }
  return { settings, secrets };
}

/** A stored channel back together, checked again (a secret sealed under an older schema fails loudly). */
export function joinSecrets(settings: Record<string, unknown>, secrets: Record<string, string>): ChannelConfig {
  return channelConfigSchema.parse({ ...settings, ...secrets });
}

/** What may be shown of a secret: that it is set, and its last four characters. */
export function secretHint(value: string): string {
  return value.length <= 8 ? '••••' : `••••${value.slice(-4)}`;
}
