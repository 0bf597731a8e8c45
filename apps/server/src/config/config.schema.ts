import { z } from 'zod';

// 0 picks a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);

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
    admin: z.object({ dir: z.string().min(1) }),
    log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']) }),
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
