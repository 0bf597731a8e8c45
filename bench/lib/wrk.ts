// Acceptance under load with `wrk` (a C load generator, so the client costs little of the CPU it
// measures): keep-alive connections, each sending its next webhook when the last is answered,
// every alert different (its own id) and spread over the given tokens. A Lua script counts the
// answers by status and prints the figures as one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './common.js';
import { acceptanceRun, fillsSettled, fillsWithin, type Target } from './webhook-load.js';

export interface AcceptanceFigures {
  /** `wrk`, or the in-process closed loop when wrk is not installed. */
  generator: string;
  connections: number;
  seconds: number;
  requests: number;
  accepted: number;
  acceptedPerSecond: number;
  statuses: Record<string, number>;
  errors: number;
  latency: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  /**
   * Sustained end to end: alerts whose `FILL` reached /ws while the load ran, a second. Below the
   * accepted rate, the engine fell behind the intake and `backlog` (accepted, not yet filled when
   * the load ended) grew through the run.
   */
  filledPerSecond: number;
  backlog: number;
}

export const wrkInstalled = (() => {
  try {
    return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
  } catch {
    return false;
  }
})();

const script = (tokens: string[], run: string) => `
local tokens = { ${tokens.map((t) => JSON.stringify(t)).join(', ')} }
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  statuses = {}
end
function request()
  n = n + 1
  local token = tokens[(n % #tokens) + 1]
  local side = "buy"
  if math.floor(n / #tokens) % 2 == 1 then side = "sell" end
  local body = string.format('{"ticker":"NQ1!","action":"%s","quantity":1,"price":%d.%02d,"id":"wrk-${run}-%d-%d"}', side, 25000, (n % 4) * 25, tid, n)
  return wrk.format("POST", "/webhooks/" .. token, { ["Content-Type"] = "application/json" }, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do merged[tostring(status)] = (merged[tostring(status)] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(merged) do table.insert(parts, string.format('"%s":%d', status, count)) end
  local e = summary.errors
  io.write(string.format('WRK_JSON {"durationMicros":%d,"requests":%d,"errors":%d,"statuses":{%s},"p50":%f,"p90":%f,"p99":%f,"max":%f}\\n',
    summary.duration, summary.requests, e.connect + e.read + e.write + e.timeout, table.concat(parts, ","),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

let runs = 0;
let scripts = '';

/** `wrk` with `connections` connections for `seconds`; falls back to the in-process closed loop. */
export async function acceptanceUnderLoad(
  target: Target,
  watcher,
  tokens: string[],
  connections: number,
  seconds: number,
): Promise<AcceptanceFigures> {
  await fillsSettled(watcher);
  if (!wrkInstalled) {
    const a = await acceptanceRun(target, watcher, tokens, connections, seconds);
    const filled = fillsWithin(watcher, a.window);
    return {
      generator: 'in-process closed loop (wrk not installed)',
      connections,
      seconds: a.seconds,
      requests: Object.values(a.statuses as Record<string, number>).reduce((n, c) => n + c, 0),
      accepted: a.accepted,
      acceptedPerSecond: a.acceptedPerSecond,
      statuses: a.statuses,
      errors: a.errors,
      latency: { p50: a.latency.p50, p90: a.latency.p90, p99: a.latency.p99, max: a.latency.max },
      filledPerSecond: Math.round(filled / a.seconds),
      backlog: Math.max(0, a.accepted - filled),
    };
  }
  scripts ||= tempDir('wrk');
  const file = join(scripts, `webhooks-${++runs}.lua`);
  writeFileSync(file, script(tokens, `${process.pid}-${runs}-${Date.now()}`));
  const threads = Math.min(2, connections);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      'wrk',
      ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', file, target.base],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const ended = performance.now();
  const line = output.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no figures:\n${output}`);
  const w = JSON.parse(line.slice('WRK_JSON '.length));
  const elapsed = w.durationMicros / 1e6;
  const accepted = w.statuses['202'] ?? 0;
  const ms = (micros: number) => Math.round(micros) / 1000;
  // wrk's own clock gives the run's length; it ended as wrk exited.
  const filled = fillsWithin(watcher, { start: ended - elapsed * 1000, end: ended });
  return {
    generator: `wrk, ${threads} threads`,
    connections,
    seconds: Math.round(elapsed * 100) / 100,
    requests: w.requests,
    accepted,
    acceptedPerSecond: Math.round(accepted / elapsed),
    statuses: w.statuses,
    errors: w.errors,
    latency: { p50: ms(w.p50), p90: ms(w.p90), p99: ms(w.p99), max: ms(w.max) },
    filledPerSecond: Math.round(filled / elapsed),
    backlog: Math.max(0, accepted - filled),
  };
}
