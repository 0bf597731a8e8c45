// Shared helpers of the benchmark scripts: statistics, the machine, a real server in its own
// process, and where each script leaves its figures for bench/run.ts.
import { createHash, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: this file runs as bench/dist/lib/common.js. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The node flags `npm run serve` starts the server with (package.json), so that every server the
 * bench starts runs as a user's does: a flag added there is measured here without a second copy.
 */
export const SERVE_NODE_FLAGS: string[] = (() => {
  const serve = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.serve;
  const flags = serve.split(/\s+/).filter((word) => word.startsWith('--'));
  if (!flags.includes('--no-node-snapshot')) throw new Error(`package.json's serve script has no --no-node-snapshot: ${serve}`);
  return flags;
})();
export const QUICK = process.env.BENCH_QUICK === '1';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const ADMIN = { username: 'admin', password: 'bench-admin-password' };

/** Wall clock in ms with sub-millisecond resolution, comparable between processes of this machine. */
export const wallNow = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;

/** p50/p90/p99/max/mean of a list of numbers (null fields when empty). */
export function stats(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const round = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 1000);
  return {
    n,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(n ? sorted[n - 1] : null),
    mean: round(n ? sum / n : null),
  };
}

export const fmtMs = (s, digits = 2) =>
  s.n ? `p50 ${s.p50.toFixed(digits)} ms  p99 ${s.p99.toFixed(digits)} ms  max ${s.max.toFixed(digits)} ms  (n=${s.n})` : 'no samples';

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); 0 elsewhere. */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime: fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/**
 * PostgreSQL's CPU on this machine, in ms: every `postgres` process's own (utime and stime) and
 * what it reaped of its children (cutime and cstime), so a backend that ended in between still
 * counts. It shares the machine's cores with the server, and its work is part of an alert's.
 */
export function postgresCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes(' (postgres) ')) continue;
      const fields = stat.split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended while it was read.
    }
  }
  return (ticks * 1000) / 100;
}

export function machine() {
  const list = cpus();
  return {
    cpu: list[0]?.model?.trim() ?? 'unknown CPU',
    cpus: list.length,
    ramGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** Hands this script's figures to bench/run.ts (BENCH_RESULT_FILE), or prints them as JSON when run alone. */
export function report(result) {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify(result, null, 2));
  else if (process.env.BENCH_PRINT_JSON === '1') console.log(JSON.stringify(result, null, 2));
}

export async function redisReachable(url = REDIS_URL) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys a bench server left in Redis under its queue prefix. */
export async function dropRedisPrefix(url, prefix) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

const yamlValue = (value) => JSON.stringify(value); // JSON is YAML

/** Minimal YAML of a nested object (JSON flow values), for TRADELOOP_CONFIG. */
function toYaml(tree, indent = '') {
  return Object.entries(tree)
    .map(([key, value]) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? `${indent}${JSON.stringify(key)}:\n${toYaml(value, `${indent}  `)}`
        : `${indent}${JSON.stringify(key)}: ${yamlValue(value)}`,
    )
    .join('\n');
}

/**
 * The built server (`apps/server/dist/main.js`) in its own process, on a temporary data folder and
 * a free port, signed in as the bench admin. Webhook rate limits are lifted (the benchmark is the
 * flood they exist for) and the simulated feed is off unless `config` says otherwise.
 * BENCH_SERVER_NODE_ARGS adds node flags to it (e.g. `--cpu-prof --cpu-prof-dir=…`).
 */
export async function startServerProcess({
  redisUrl = '',
  config = {},
  env = {},
  label = 'server',
  dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-bench-')),
  nodeArgs: extraNodeArgs = [],
}: {
  redisUrl?: string;
  config?: object;
  env?: Record<string, string>;
  label?: string;
  dataDir?: string;
  /** Node flags of this server alone, after the `serve` script's and BENCH_SERVER_NODE_ARGS. */
  nodeArgs?: string[];
} = {}) {
  const port = await freePort();
  const prefix = `tradeloop-bench-${process.pid}-${Date.now()}`;
  const tree = {
    queue: { prefix },
    plugins: { disabled: ['sim-feed'] },
    webhooks: { rateLimit: { perTokenPerMinute: 100_000_000, perIpPerMinute: 100_000_000 } },
    ...config,
  };
  const configFile = join(dataDir, 'bench.yaml');
  writeFileSync(configFile, `${toYaml(tree)}\n`);
  const nodeArgs = [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean), ...extraNodeArgs];
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, ...nodeArgs, join(ROOT, 'apps/server/dist/main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TRADELOOP_CONFIG: configFile,
      TRADELOOP_CONFIG_DIR: join(ROOT, 'config'),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: '',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: redisUrl,
      STRATEGIES_DIR: join(dataDir, 'strategies'),
      ADMIN_DIR: join(dataDir, 'no-admin'),
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'error',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => {
    output += d;
    if (process.env.BENCH_VERBOSE === '1') process.stderr.write(`[${label}] ${d}`);
  });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${label} exited at start (${child.exitCode}):\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${label} did not start within 60 s:\n${output}`);
    }
    try {
      if ((await fetch(`${base}/api/health`)).status < 500 && output.includes('is running')) break;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  const token = await login(base);
  return {
    base,
    port,
    dataDir,
    prefix,
    pid: child.pid,
    token,
    child,
    output: () => output,
    /**
     * SIGTERM (lets --cpu-prof write its profile), SIGKILL if it lingers; removes its data and Redis
     * keys, unless `keepData` (a server started again on the same `dataDir` takes them over).
     */
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), nodeArgs.length ? 30_000 : 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (redisUrl) await dropRedisPrefix(redisUrl, prefix).catch(() => undefined);
    },
  };
}

export async function login(base) {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (response.status !== 200) throw new Error(`login: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** JSON API call as the bench admin. */
export async function api(server: { base: string; token: string }, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Temporary folder removed at exit of the calling script. */
export function tempDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `tradeloop-${name}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A trivial sandboxed onTick handler: the call is what is measured, not the strategy. */
export const ON_TICK_SCRIPT = `
let seen = 0;
export default defineStrategy({
  tickers: ['NQ1!'],
  params: { threshold: 1e9 },
  onTick(quote, ctx) {
    seen += 1;
    if (quote.bid > ctx.params.threshold) ctx.buy(quote.ticker, 1);
  },
});
`;

/** The strategies table's columns, and a row for a plain strategy on `accountId`, for bulk inserts in benchmarks. */
export const STRATEGY_COLUMNS = [
  'id',
  'name',
  'webhookTokenHash',
  'webhookTokenSealed',
  'enabled',
  'accountId',
  'defaultQuantity',
  'defaultTicker',
  'description',
  'createdAt',
  'updatedAt',
];
export function strategyRow(id, name, accountId, now) {
  const token = randomUUID().replaceAll('-', '');
  // Nobody posts to these strategies' webhooks: the token is never kept, only its hash (the sealed copy is a placeholder).
  return [id, name, createHash('sha256').update(token).digest('hex'), 'v1:00000000:bench', true, accountId, 1, null, '', now, now];
}
