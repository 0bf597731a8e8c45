import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { longestCallMs, ScriptFailure } from '../../../apps/server/src/sandbox/protocol.js';
import { SandboxHost } from '../../../apps/server/src/sandbox/sandbox-host.js';

/**
 * The sandbox's budget is enforced on the wall clock. Here the host process is starved for real,
 * stopped (SIGSTOP) and let go (SIGCONT) as a machine busy with other work would, only harder. A
 * script that is not slow must not fail for it; one that is slow must still be stopped.
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
  onTick(quote, ctx) {
    let x = 0;
    for (let i = 0; i < quote.turns; i++) x = (x * 31 + i) % 1000003;
    ctx.state.x = x;
  },
});
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CPU time (user and system) a process has used, in ms, from /proc: however busy the machine. */
function hostCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, fields 14 and 15, in clock ticks (100 a second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

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
    // A first guess from the wall clock, the fastest of three (the first runs before the loop is
    // optimised). A busy machine makes a call's wall clock longer than its CPU time, and a guess
    // from it too low: the "70 ms" call below would then need less than the 50 ms budget. So the
    // rate is also taken from the host's own CPU time, over calls adding up to 250 ms of it at least
    // (its clock ticks every 10 ms, so that errs by 4% at most). That count has its own share of
    // work no turn stands for — the calls' messages, the host's other threads — and a busy moment
    // in it once made the "70 ms" call a 27 ms one. Neither count makes the machine look faster
    // than it is (the CPU count by its 4% at most), so the faster of the two is the rate.
    //
    // These calls measure, they test nothing. One that the rest of the suite starved past its three
    // runs (the suite's failure: a call of a few ms of CPU stopped while other suites' servers and
    // browser ran beside it) is not counted: its CPU went to runs that were thrown away, so the
    // count of the host's CPU starts again after it.
    let starvedCalls = 0;
    const call = async (turns: number) => {
      try {
        return await host.call('work', 'onWebhook', JSON.stringify({ turns }), ctx);
      } catch (error) {
        if (!(error instanceof ScriptFailure && error.error.kind === 'timeout') || ++starvedCalls >= 50) throw error;
        return null;
      }
    };
    const probe = 200_000;
    let fastestMs = Infinity;
    for (let timed = 0; timed < 3;) {
      const answer = await call(probe);
      if (!answer) continue;
      fastestMs = Math.min(fastestMs, answer.micros / 1000);
      timed++;
    }
    const turns = Math.round((probe / fastestMs) * 10); // 10 ms of CPU a call at most: a fifth of the budget
    let cpuBefore = hostCpuMs(host.pid!);
    let calls = 0;
    while (hostCpuMs(host.pid!) - cpuBefore < 250 && calls < 200) {
      if (await call(turns)) {
        calls++;
      } else {
        calls = 0;
        cpuBefore = hostCpuMs(host.pid!);
      }
    }
    turnsPerMs = Math.max(probe / fastestMs, (turns * calls) / (hostCpuMs(host.pid!) - cpuBefore));
  });
  afterEach(async () => {
    await stopStarving(starver, host.pid);
    starver = undefined;
  });
  afterAll(() => host.close());

  it('runs a call the machine stopped early once more, with more wall-clock time', async () => {
    // 20 ms of CPU, within the budget. Stopped 10 ms in and held past the budget, its first run
    // ends having spent under half of it; the next run has 100 ms of wall clock for 20 ms of CPU.
    const work = JSON.stringify({ turns: Math.round(turnsPerMs * 20) });
    const pid = host.pid!;
    const before = host.reruns;
    // Until a call is caught running: on a busy machine the request can reach the host after the stop.
    for (let attempt = 0; attempt < 5 && host.reruns === before; attempt++) {
      const call = host.call('work', 'onWebhook', work, ctx).catch((e: unknown) => e);
      await sleep(10);
      process.kill(pid, 'SIGSTOP');
      await sleep(2 * CPU_MS);
      process.kill(pid, 'SIGCONT');
      expect(await call).toEqual(
        expect.objectContaining({ actions: [{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: {} }] }),
      );
    }
    expect(host.reruns).toBeGreaterThan(before);
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
    await sleep(10);
    process.kill(pid, 'SIGSTOP');
    await sleep(2 * CPU_MS);
    process.kill(pid, 'SIGCONT');
    const failure = await call;
    // Answered instead, the failure shows the answer's own time and the rate the work was sized by.
    expect(failure instanceof ScriptFailure ? failure.error.kind : { answered: failure, turnsPerMs }).toBe('timeout');
    // And the host goes on: a quick call right after is answered.
    const next = await host.call('work', 'onWebhook', JSON.stringify({ turns: 10 }), ctx);
    expect(next.actions).toHaveLength(1);
  });

  it('runs a starved tick only once in a live lane: the next quote supersedes it', async () => {
    const live = new SandboxHost({ limits: LIMITS, tickRuns: 1 });
    try {
      await live.load('work', 'work.ts', SCRIPT);
      const work = JSON.stringify({ turns: Math.round(turnsPerMs * 20) });
      let failure: unknown;
      for (let attempt = 0; attempt < 5 && !failure; attempt++) {
        const call = live.call('work', 'onTick', work, ctx).then(
          () => undefined,
          (e: unknown) => e,
        );
        await sleep(10);
        process.kill(live.pid!, 'SIGSTOP');
        await sleep(2 * CPU_MS);
        process.kill(live.pid!, 'SIGCONT');
        failure = await call;
      }
      expect((failure as ScriptFailure).error.kind).toBe('timeout');
      expect(live.reruns).toBe(0);
    } finally {
      await live.close();
    }
  });
});
