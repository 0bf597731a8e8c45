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
    strategies: z.object({
      /** Where strategy scripts live (`*.ts`, `*.js`). */
      dir: z.string().min(1),
      /** Heap per strategy isolate, in MB (isolated-vm's minimum is 8). */
      memoryMb: z.coerce.number().int().min(8).max(4096),
      /** Wall-clock budget of one handler call, in ms. */
      cpuMs: z.coerce.number().int().min(1).max(60_000),
      /** Orders one strategy may place per rolling minute; more are refused and logged. */
      maxOrdersPerMinute: z.coerce.number().int().min(1),
      /** Failed calls in a row (throw, timeout, out of memory) before the strategy is set to errored. */
      maxFailures: z.coerce.number().int().min(1),
    }),
    admin: z.object({ dir: z.string().min(1) }),
    log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']) }),
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
