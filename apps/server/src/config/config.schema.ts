import { isValidTimeZone } from '@tradeloop/domain';
import { z } from 'zod';

// 0 picks a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);
// YAML gives booleans, environment variables give text.
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: 'must be true or false' });
const days = z.coerce.number().positive();

export const configSchema = z
  .object({
    server: z.object({
      host: z.string().min(1),
      port,
      publicUrl: z.union([z.literal(''), z.url()]),
    }),
    dataDir: z.string().min(1),
    database: z.object({
      url: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://')]),
    }),
    redis: z.object({
      url: z.union([z.literal(''), z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')]),
    }),
    queue: z.object({
      partitions: z.coerce.number().int().min(1).max(256),
      /** Redis key prefix: several Tradeloop installs can share one Redis. */
      prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
    }),
    webhooks: z.object({ maxBodyBytes: z.coerce.number().int().min(1024) }),
    accounts: z.object({ paperStartingBalance: z.coerce.number().nonnegative() }),
    plugins: z.object({
      dir: z.string().min(1),
      /** Plugin folder names to leave unloaded. */
      disabled: z.array(z.string()).default([]),
      settings: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).default({}),
    }),
    instruments: z
      .array(
        z.object({
          root: z
            .string()
            .min(1)
            .transform((s) => s.toUpperCase()),
          description: z.string().default(''),
          tickSize: z.number().positive(),
          tickValue: z.number().positive(),
        }),
      )
      .default([]),
    pnl: z.object({
      /** IANA zone that "today" and calendar days follow. */
      timeZone: z.string().refine(isValidTimeZone, 'unknown time zone: use an IANA name such as America/New_York'),
      /** When a trading day begins, local time; after noon it opens the next date's day (futures: 18:00). */
      dayStart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)'),
      /** Record P&L every second in this process (several processes on one Redis elect one recorder). */
      recorder: flag,
      retention: z.object({ secondsDays: days, minutesDays: days, hoursDays: days }),
    }),
    admin: z.object({ dir: z.string().min(1) }),
    log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']) }),
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
