import { MAX_QUANTITY } from '@tradeloop/contracts';
import { isValidTimeZone, tickerProblem } from '@tradeloop/domain';
import { z } from 'zod';

// 0 picks a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);
// YAML gives booleans, environment variables give text.
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: 'must be true or false' });
const days = z.coerce.number().positive();

export const configSchema = z
  .object({
    /**
     * What this process does: `all` (one process), `api` (HTTP, /ws, webhook intake) or `worker`
     * (strategies, executions, broker sessions, feeds). Split roles share Redis and a database.
     */
    role: z.enum(['all', 'api', 'worker']),
    server: z.object({
      host: z.string().min(1),
      port,
      publicUrl: z.union([z.literal(''), z.url()]),
      /**
       * Behind a reverse proxy: trust its X-Forwarded-For so client addresses (rate limits, IP
       * allow-lists) are the real ones. true, false, or the proxies' addresses/CIDRs, comma separated.
       */
      trustProxy: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true'), z.string().min(1)]).default(false),
      /** SIGTERM: in-flight work gets this long to finish before the process stops anyway. */
      shutdownSeconds: z.coerce.number().positive().max(3600),
    }),
    auth: z.object({
      /** The admin's name; ADMIN_USER. */
      adminUser: z.string().min(1).max(100),
      /** ADMIN_PASSWORD: applied at a start when it differs from the value last applied (ending the admin's sessions and API tokens). Empty: generated once. */
      adminPassword: z.union([z.literal(''), z.string().min(12, 'must be at least 12 characters')]),
      /** How long a login session lasts. */
      sessionHours: z.coerce
        .number()
        .positive()
        .max(24 * 365),
      login: z.object({
        /** Failed logins allowed per address and name within `windowMinutes`, before 429. */
        maxFailures: z.coerce.number().int().min(1),
        /** Failed logins allowed per address for any name within `windowMinutes`. */
        maxFailuresPerIp: z.coerce.number().int().min(1),
        windowMinutes: z.coerce.number().positive(),
        /** Password checks (scrypt: tens of ms and 32 MB each) running at once; up to 100 more wait, the rest get 429. */
        concurrentChecks: z.coerce.number().int().min(1).max(64),
      }),
    }),
    secrets: z.object({
      /** TRADELOOP_SECRET_KEY: 32 bytes as base64 or hex. Empty: a key file under dataDir, made on first start. */
      key: z.string(),
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
      /** BullMQ: accepted events no worker has started after this long are queued again. */
      sweepSeconds: z.coerce.number().positive(),
      /** BullMQ: a worker that has not renewed its job's lock for this long is presumed dead, and the job runs again elsewhere. */
      lockSeconds: z.coerce.number().positive(),
      /** BullMQ: how often workers look for such jobs. */
      stalledSeconds: z.coerce.number().positive(),
    }),
    webhooks: z.object({
      maxBodyBytes: z.coerce.number().int().min(1024),
      /** An alert without an `id` repeating the same body within this many seconds is a duplicate (0: never). */
      duplicateWindowSeconds: z.coerce.number().min(0),
      rateLimit: z.object({
        /** Webhooks per minute for one strategy token (bursts up to this many at once). */
        perTokenPerMinute: z.coerce.number().int().min(1),
        /** Webhooks per minute from one address. TradingView sends every user's alerts from four addresses. */
        perIpPerMinute: z.coerce.number().int().min(1),
      }),
    }),
    market: z.object({
      /** A ticker nobody watches any more is unsubscribed from its feed after this long (so quick re-use does not flap). */
      unsubscribeAfterSeconds: z.coerce.number().min(0),
      /** The quote of a ticker nobody watches is forgotten once it is this old. */
      forgetQuotesAfterSeconds: z.coerce.number().positive(),
      /** Quotes the cache holds at most; the stalest unwatched one makes room for a new ticker. */
      maxQuotes: z.coerce.number().int().min(10),
      /**
       * Tickers always quoted, from the first second (with every enabled strategy's default ticker).
       * Until the watchlist is edited in the admin (then the database keeps it).
       */
      watchlist: z
        .array(
          z.string().superRefine((ticker, ctx) => {
            const problem = tickerProblem(ticker);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
        )
        .max(50),
    }),
    realtime: z.object({
      /** Per strategy and account, at most one PNL message in this interval. */
      pnlIntervalMs: z.coerce.number().int().min(0),
      /** A client whose socket holds more than this many bytes unsent is backed up: quotes and P&L conflate to the latest. */
      backpressureBytes: z.coerce.number().int().min(1024),
      /** A backed-up client with more than this many unconflatable messages waiting is disconnected. */
      maxQueuedMessages: z.coerce.number().int().min(10),
      /** Tickers in one WATCH or SUBSCRIBE. */
      maxTickersPerWatch: z.coerce.number().int().min(1).max(10_000),
      /** Distinct tickers one token (a login session or an API token) keeps quoted over all its connections. */
      maxTickersPerToken: z.coerce.number().int().min(1).max(100_000),
      /** Open `/ws` connections per token. */
      maxConnectionsPerToken: z.coerce.number().int().min(1).max(10_000),
    }),
    accounts: z.object({ paperStartingBalance: z.coerce.number().nonnegative() }),
    /** Limits for every strategy and every account that does not set its own (risk limits in the API). */
    risk: z.object({
      /** The largest order that adds to a position, in contracts (shares, coins). */
      maxOrderQuantity: z.coerce.number().positive().max(MAX_QUANTITY),
      /** The largest position per ticker: a strategy's own, and an account's net over everything in it. */
      maxPositionSize: z.coerce.number().positive().max(MAX_QUANTITY),
    }),
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
      /** Failed calls (throw, timeout, out of memory) among the last `failureWindow` before the strategy is set to errored. */
      maxFailures: z.coerce.number().int().min(1),
      /** How many of a strategy's latest calls `maxFailures` counts over. */
      failureWindow: z.coerce.number().int().min(1).max(1000),
      /** A strategy whose handler calls average more than this (ms) runs in the sandbox's slow lane, out of the others' way. */
      slowCallMs: z.coerce.number().positive().max(60_000),
      /** Script uploads (`PUT /api/scripts/…`, each checked in a sandbox) per user per minute, this many at once. */
      uploadsPerMinute: z.coerce.number().int().min(1),
    }),
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
    accountRules: z
      .object({
        /** Firm presets (`*.yaml`) that `PUT /api/accounts/:id/rules` may name. */
        presetsDir: z.string().min(1).default('config/prop-firms'),
      })
      .default({ presetsDir: 'config/prop-firms' }),
    notifications: z
      .object({
        /** Where Discord webhook URLs go (their path kept): Discord itself, or a stand-in. */
        discordBaseUrl: z.url({ protocol: /^https?$/ }).default('https://discord.com'),
        /** The first retry's wait, doubling after each failure (capped at 10 minutes). */
        retryBaseMs: z.coerce.number().int().min(10).max(60_000).default(1000),
        /** Attempts before a notification is given up. */
        maxAttempts: z.coerce.number().int().min(1).max(100).default(12),
      })
      .default({ discordBaseUrl: 'https://discord.com', retryBaseMs: 1000, maxAttempts: 12 }),
    backtests: z.object({
      /** Tickers whose quotes are recorded (under `<dataDir>/history/quotes`) so a live day can be replayed. */
      recordTickers: z.array(z.string().refine((t) => tickerProblem(t) === null, 'not a ticker')).max(50),
      /** Bytes of quotes recorded per ticker per day (UTC) at most; the rest of the day is not recorded. */
      recordMaxBytesPerDay: z.coerce
        .number()
        .int()
        .min(1024)
        .max(2 ** 32),
      /** Backtests running at once; more are refused (409) until one ends. */
      maxRunning: z.coerce.number().int().min(1).max(16),
    }),
    log: z.object({
      level: z.enum(['debug', 'info', 'warn', 'error']),
      /** Log lines one strategy (and, apart, the server itself) may write a minute; the rest are counted, not kept. */
      maxLinesPerMinute: z.coerce.number().int().min(10).max(100_000),
      /** SQLite: how often the lines written since are indexed by strategy, in one commit (LogsService). */
      indexIntervalMs: z.coerce.number().int().min(100).max(3_600_000),
    }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.strategies.failureWindow < config.strategies.maxFailures) {
      ctx.addIssue({
        code: 'custom',
        path: ['strategies', 'failureWindow'],
        message: `must be at least strategies.maxFailures (${config.strategies.maxFailures}): the failures are counted among that many calls`,
      });
    }
    if (config.role !== 'all' && !config.redis.url) {
      ctx.addIssue({
        code: 'custom',
        path: ['role'],
        message: `role ${config.role} needs REDIS_URL: api and worker processes meet through Redis`,
      });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

/**
 * Whether this process writes its database alone: several processes meet only through Redis (api
 * and worker roles need it), so without Redis every write goes through this one, and what it holds
 * in memory of its own writes — positions, orders, accounts, open brackets, strategies — cannot be
 * changed behind its back.
 */
export const soleWriter = (config: Pick<AppConfig, 'redis'>): boolean => !config.redis.url;
