import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { createScripted, logs, scriptsDir } from '../../support/scripts.js';

/**
 * Fails four quotes in five with a 400,000-character error (its message and, in V8, its stack).
 * Variables at the top level last as long as the isolate, which a throw does not rebuild.
 */
const MOSTLY_FAILING = `
let calls = 0;
export default defineStrategy({
  tickers: ['NQ1!'],
  onTick(quote, ctx) {
    calls += 1;
    if (calls % 5 !== 0) throw new Error('x'.repeat(400_000));
  },
});
`;

/** Logs 20 lines of 50,000 characters on every quote, then fails. */
const LOUD = `
export default defineStrategy({
  tickers: ['NQ1!'],
  onTick(quote, ctx) {
    for (let i = 0; i < 20; i++) console.log('y'.repeat(50_000));
    throw new TypeError('z'.repeat(300_000));
  },
});
`;

describe('a script that fails most of the time', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = scriptsDir({ 'mostly-failing.ts': MOSTLY_FAILING, 'loud.ts': LOUD });
    // A call's budget well above what 20 lines of 50,000 characters take on a busy machine: every
    // call here fails by its own throw, never by running out of time, so the counts below are exact.
    // And no move to the slow lane, where a 400,000-character throw on a busy machine (over 10 ms a
    // call) would send it: the script would load afresh there and its call count start over.
    server = await startServer({ overrides: { strategies: { dir, cpuMs: 2000, slowCallMs: 60_000 } } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (id: string) => (await http(server.url, 'GET', `/api/strategies/${id}`)).body;

  it('is stopped after 5 failures among its last 10 calls, and leaves log rows of about 2 KB, not megabytes', async () => {
    const strategy = await createScripted(server, { name: 'mostly failing', script: 'mostly-failing.ts' });
    const stopped = await eventually(
      async () => {
        const now = await status(strategy.id);
        return now.status === 'errored' ? now : null;
      },
      20_000,
      'the strategy to be stopped',
    );
    // Fail, fail, fail, fail, succeed, fail: the fifth failure comes with the sixth call. In a row,
    // 4 in 5 never reaches 5 and the strategy ran (and logged) forever.
    expect(stopped.statusReason).toMatch(/^5 of its last 6 calls failed; last: onTick failed \(error\)/);
    expect(stopped.enabled).toBe(false);

    // The line saying so is written once the strategy's row has changed: wait for it, not only for the status.
    const rows = await eventually(async () => {
      const scripted = (await logs(server, strategy.id)).filter((l) => l.category === 'script');
      return scripted.some((l) => /^strategy stopped:/.test(l.message)) ? scripted : null;
    });
    const failures = rows.filter((l) => /^onTick failed/.test(l.message));
    expect(failures.length).toBe(5);
    expect(rows.filter((l) => /^strategy stopped: 5 of its last 6 calls failed/.test(l.message))).toHaveLength(1);
    for (const row of rows) {
      expect(row.message.length).toBeLessThan(2600);
      expect(String(row.context?.stack ?? '').length).toBeLessThan(2600);
    }
    // The message says how much was cut; the stack still points into the script.
    expect(failures[0].message).toMatch(/xxxx… \(398\d\d\d more characters\) \[/);
    expect(String(failures[0].context!.stack)).toMatch(/mostly-failing\.ts:7:/);
    const stored = rows.reduce((sum, l) => sum + l.message.length + JSON.stringify(l.context ?? {}).length, 0);
    expect(stored).toBeLessThan(40_000);
  });

  it('cuts what a failing call logged and threw, whatever their size', async () => {
    const strategy = await createScripted(server, { name: 'loud', script: 'loud.ts' });
    await eventually(async () => (await status(strategy.id)).status === 'errored', 20_000, 'the loud strategy to be stopped');
    const scriptRows = async () => (await logs(server, strategy.id, 1000)).filter((l) => l.category === 'script');
    // 5 calls × (20 lines + the failure) + the line saying it stopped; log lines are written after
    // the status, so a busy machine may still be writing the last call's.
    await eventually(async () => (await scriptRows()).length >= 5 * 21 + 1, 20_000, "the loud strategy's log lines");
    const rows = await scriptRows();
    expect(rows.length).toBe(5 * 21 + 1);
    for (const row of rows) expect(row.message.length + JSON.stringify(row.context ?? {}).length).toBeLessThan(5000);
    expect(
      rows.filter((l) => /^onTick failed \(error\) at loud\.ts:6:\d+: z+… \(298532 more characters\) \[/.test(l.message)),
    ).toHaveLength(5);
    expect(rows.filter((l) => /^onTick: y+… \(49032 more characters\)$/.test(l.message))).toHaveLength(5 * 20);
  });
});
