import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { longestCallMs, ScriptFailure } from '../../../apps/server/src/sandbox/protocol.js';
import { SandboxHost } from '../../../apps/server/src/sandbox/sandbox-host.js';

/**
 * The sandbox's budget is enforced on the wall clock. Here the host process is starved for real:
 * a small process stops it (SIGSTOP) and lets it run (SIGCONT) in turn, as a machine busy with
 * other work would, only harder. A script that is not slow must not fail for it; one that is slow
 * must still be stopped.
 */
const CPU_MS = 50;
const LIMITS = { memoryMb: 32, cpuMs: CPU_MS };
/** The duty cycle: stopped this long, then running this long. */
const STOPPED_MS = 40;
const RUNNING_MS = 10;

const SCRIPT = `
export default defineStrategy({
  onWebhook(alert, ctx) {
    // A fixed amount of CPU work, however the wall clock goes meanwhile.
    let x = 0;
    for (let i = 0; i < alert.turns; i++) x = (x * 31 + i) % 1000003;
    ctx.state.x = x;
    ctx.buy('NQ1!', 1);
  },
});
`;

const ctx = JSON.stringify({ strategyId: 's', params: {}, state: {}, positions: {}, quotes: {}, pnl: {}, now: 0, aliases: {} });

/**
 * Stops and continues a process in turn until killed; a process of its own, so the test's event
 * loop cannot stretch a stop. Resolves once the first stop was sent.
 */
async function starve(pid: number, stoppedMs: number, runningMs: number): Promise<ChildProcess> {
  const code = `
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const pid = ${pid};
    process.on('SIGTERM', () => { try { process.kill(pid, 'SIGCONT'); } catch {} process.exit(0); });
    let first = true;
    const cycle = () => {
      process.kill(pid, 'SIGSTOP');
      if (first) process.stdout.write('stopping\\n');
      first = false;
      sleep(${stoppedMs});
      process.kill(pid, 'SIGCONT'); sleep(${runningMs});
      setImmediate(cycle);
    };
    cycle();`;
  const starver = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    starver.stdout!.once('data', () => resolve());
    starver.once('exit', (code) => reject(new Error(`the starving process ended (${code})`)));
  });
  return starver;
}

async function stopStarving(starver: ChildProcess | undefined, pid: number | undefined): Promise<void> {
  if (starver && starver.exitCode === null) {
    const exited = new Promise((r) => starver.once('exit', r));
    starver.kill('SIGTERM');
    await exited;
  }
  if (pid) process.kill(pid, 'SIGCONT');
}

describe('a sandbox host starved of the CPU', () => {
  let host: SandboxHost;
  let starver: ChildProcess | undefined;
  let turnsPerMs: number;

  beforeAll(async () => {
    host = new SandboxHost({ limits: LIMITS });
    await host.load('work', 'work.ts', SCRIPT);
    // Timed on the idle host: the fastest of three (the first runs before the loop is optimised).
    const turns = 200_000;
    let fastestMs = Infinity;
    for (let i = 0; i < 3; i++) {
      const timed = await host.call('work', 'onWebhook', JSON.stringify({ turns }), ctx);
      fastestMs = Math.min(fastestMs, timed.micros / 1000);
    }
    turnsPerMs = turns / fastestMs;
  });
  afterEach(async () => {
    await stopStarving(starver, host.pid);
    starver = undefined;
  });
  afterAll(() => host.close());

  it('runs a quick call to the end: a run stopped with little CPU spent runs again with more wall-clock time', async () => {
    // 15 ms of CPU, running 10 ms in every 50, spans a stop at least: 55 ms of wall clock, over the
    // 50 ms budget, however the stops fall. The third run has 200 ms: four times what it needs.
    const turns = Math.round(turnsPerMs * 15);
    starver = await starve(host.pid!, STOPPED_MS, RUNNING_MS);
    const outcomes: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await host.call('work', 'onWebhook', JSON.stringify({ turns }), ctx).catch((e: unknown) => e));
    }
    for (const outcome of outcomes) {
      expect(outcome).toEqual(
        expect.objectContaining({ actions: [{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: {} }] }),
      );
    }
  });

  it('still stops a script that spins, starved or not', async () => {
    await host.load('spin', 'spin.ts', 'export default defineStrategy({ onWebhook() { for (;;) {} } });');
    starver = await starve(host.pid!, STOPPED_MS, RUNNING_MS);
    const started = Date.now();
    const failure = await host.call('spin', 'onWebhook', '{}', ctx).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ScriptFailure);
    expect((failure as ScriptFailure).error).toMatchObject({
      kind: 'timeout',
      message: `call: ran over its ${CPU_MS} ms budget and was stopped`,
    });
    // Three runs at most (1, 2 and 4 budgets of wall clock), the isolate rebuilt between them.
    expect(Date.now() - started).toBeLessThan(longestCallMs(LIMITS));
  });

  it('holds a run given more wall-clock time to one budget of CPU', async () => {
    // 70 ms of CPU: over the budget however the machine goes.
    const slow = JSON.stringify({ turns: Math.round(turnsPerMs * 70) });
    const pid = host.pid!;
    const call = host.call('work', 'onWebhook', slow, ctx).catch((e: unknown) => e);
    // Stopped 10 ms into its first run and held there past the budget: that run is stopped having
    // spent under half of it, so it runs again with 100 ms of wall clock, enough for 70 ms of CPU
    // on an idle machine. That second run is refused all the same.
    await new Promise((r) => setTimeout(r, 10));
    process.kill(pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 2 * CPU_MS));
    process.kill(pid, 'SIGCONT');
    const failure = await call;
    expect(failure).toBeInstanceOf(ScriptFailure);
    expect((failure as ScriptFailure).error.kind).toBe('timeout');
    // And the host goes on: a quick call right after is answered.
    const next = await host.call('work', 'onWebhook', JSON.stringify({ turns: 10 }), ctx);
    expect(next.actions).toHaveLength(1);
  });
});
