// Counts what a server does, without a clock where a count will do: loaded with `--require` into a
// server the bench measures (the floor or Tradeloop, never one whose speed it times), it counts the
// statements run on SQLite (better-sqlite3) and PostgreSQL (`pg`), the commands sent to Redis
// (ioredis, which BullMQ uses), and the bytes the JavaScript heap allocates (V8's sampling heap
// profiler, told to keep the samples of objects the collector has freed: its sum estimates every
// byte allocated), and times one thing: the event loop's longest turns. The first SIGUSR2 starts
// counting; the second stops and writes the figures as JSON to BENCH_PROBE_OUT. This machine's speed drifts by a quarter within minutes; these counts
// do not, so two builds compare by them where timings cannot tell 5% from noise.
import inspector = require('node:inspector');
import fs = require('node:fs');

/** One statement's SQL: how often it ran while counting, and the time inside its calls. */
interface Tally {
  runs: number;
  millis: number;
}

// Everything a statement does while counting is a compare, two clock reads and two additions: the
// probe must not add the allocations it counts. Each SQL's tally is made once, when it is prepared.
const tallies = new Map<string, Tally>();
let redisCommands = 0;
let counting = false;
/** The time inside every statement while counting (a transaction's own is what it adds to this). */
let insideMillis = 0;

function tallyOf(sql: string): Tally {
  let tally = tallies.get(sql);
  if (!tally) tallies.set(sql, (tally = { runs: 0, millis: 0 }));
  return tally;
}

function optional(name: string): any {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}

const Sqlite = optional('better-sqlite3');
if (Sqlite) {
  const prepare = Sqlite.prototype.prepare;
  Sqlite.prototype.prepare = function (this: unknown, sql: string) {
    const statement = prepare.apply(this, arguments);
    const tally = tallyOf(sql);
    for (const method of ['run', 'get', 'all', 'iterate']) {
      const original = statement[method];
      statement[method] = function (this: unknown) {
        if (!counting) return original.apply(this, arguments);
        const start = performance.now();
        const result = original.apply(this, arguments);
        const millis = performance.now() - start;
        tally.millis += millis;
        insideMillis += millis;
        tally.runs++;
        return result;
      };
    }
    return statement;
  };
  // better-sqlite3's own transactions (the floor's) run BEGIN and COMMIT inside the driver: counted as
  // the two statements they are, their time the call's less the statements' inside it.
  const transaction = Sqlite.prototype.transaction;
  const frame = tallyOf('BEGIN … COMMIT (a better-sqlite3 transaction)');
  Sqlite.prototype.transaction = function (this: unknown, fn: (...args: unknown[]) => unknown) {
    const run = transaction.call(this, fn);
    const wrapped = function (this: unknown) {
      if (!counting) return run.apply(this, arguments);
      const inner = insideMillis;
      const start = performance.now();
      const result = run.apply(this, arguments);
      const millis = performance.now() - start - (insideMillis - inner);
      frame.millis += millis;
      insideMillis += millis;
      frame.runs += 2;
      return result;
    };
    for (const variant of ['deferred', 'immediate', 'exclusive']) (wrapped as any)[variant] = run[variant];
    return wrapped;
  };
  const exec = Sqlite.prototype.exec;
  Sqlite.prototype.exec = function (this: unknown, sql: string) {
    if (!counting) return exec.call(this, sql);
    const tally = tallyOf(sql);
    const start = performance.now();
    const result = exec.call(this, sql);
    const millis = performance.now() - start;
    tally.millis += millis;
    insideMillis += millis;
    tally.runs++;
    return result;
  };
}

const Pg = optional('pg');
if (Pg?.Client) {
  const query = Pg.Client.prototype.query;
  Pg.Client.prototype.query = function (this: unknown, config: string | { text?: string; name?: string }) {
    // Counted, not timed: queries wait in line on a connection, so the time to an answer is not the query's.
    if (counting) tallyOf(typeof config === 'string' ? config : String(config?.text ?? config?.name ?? '?')).runs++;
    return query.apply(this, arguments);
  };
}

const Redis = optional('ioredis');
const RedisClass = Redis?.default ?? Redis;
if (RedisClass?.prototype?.sendCommand) {
  const sendCommand = RedisClass.prototype.sendCommand;
  RedisClass.prototype.sendCommand = function (this: unknown) {
    if (counting) redisCommands++;
    return sendCommand.apply(this, arguments);
  };
}

// The event loop's longest turn while counting: a timer every TURN_TICK_MS notes how late it comes
// (a turn of work in front of it delays it by that much). Not a speed: what one stretch of work
// holds every waiting request for — a commit, a flush, a collection.
const TURN_TICK_MS = 5;
/** Turns at least this long are counted (a webhook waiting behind one is late by that much). */
const LONG_TURN_MS = 20;
let lastTick = 0;
let longestTurnMillis = 0;
let longTurns = 0;
setInterval(() => {
  const now = performance.now();
  if (counting && lastTick) {
    const late = now - lastTick - TURN_TICK_MS;
    if (late > longestTurnMillis) longestTurnMillis = late;
    if (late >= LONG_TURN_MS) longTurns++;
  }
  lastTick = now;
}, TURN_TICK_MS).unref();

const session = new inspector.Session();
session.connect();

function sum(node: { selfSize: number; children: unknown[] }): number {
  let total = node.selfSize;
  for (const child of node.children as { selfSize: number; children: unknown[] }[]) total += sum(child);
  return total;
}

process.on('SIGUSR2', () => {
  if (!counting) {
    for (const tally of tallies.values()) tally.runs = tally.millis = 0;
    insideMillis = 0;
    redisCommands = 0;
    longestTurnMillis = longTurns = 0;
    counting = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return;
  }
  counting = false;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    let statements = 0;
    let statementMicros = 0;
    const bySql: Record<string, [runs: number, micros: number]> = {};
    for (const [sql, tally] of tallies) {
      if (!tally.runs) continue;
      statements += tally.runs;
      statementMicros += tally.millis * 1000;
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
      const entry = (bySql[key] ??= [0, 0]);
      entry[0] += tally.runs;
      entry[1] += tally.millis * 1000;
    }
    const allocatedBytes = !error && result?.profile ? sum(result.profile.head) : 0;
    const out = process.env.BENCH_PROBE_OUT;
    if (out)
      fs.writeFileSync(
        out,
        JSON.stringify({ statements, statementMicros, redisCommands, allocatedBytes, longestTurnMillis, longTurns, bySql }),
      );
    // BENCH_PROBE_KEEP=<folder>: every statement's count (the table prints the top ones) and the
    // heap profile itself (opens in Chrome's DevTools), to see where an alert's bytes are allocated.
    const keep = process.env.BENCH_PROBE_KEEP;
    if (keep) {
      fs.writeFileSync(`${keep}/probe-${process.pid}.statements.json`, JSON.stringify(bySql));
      if (result?.profile) fs.writeFileSync(`${keep}/probe-${process.pid}.heapprofile`, JSON.stringify(result.profile));
    }
  });
});
