import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { SandboxService } from '../../../apps/server/src/sandbox/sandbox.service.js';
import { eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, savedState, scriptsDir } from '../../support/scripts.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

const HEALTHY = `
export default defineStrategy({
  onWebhook(alert, ctx) {
    if (alert.action === 'buy') ctx.buy(alert.ticker, 1);
    if (alert.action === 'sell') ctx.sell(alert.ticker, 1);
  },
});
`;

/** Spends 40 ms of every quote of NQ (the test feed sends 20 a second) computing nothing. */
const BUSY = `
export default defineStrategy({
  tickers: ['NQ1!'],
  onTick(quote, ctx) {
    const end = Date.now() + 40;
    while (Date.now() < end) {}
    ctx.state.ticks = (ctx.state.ticks ?? 0) + 1;
  },
});
`;

/** `for(;;){}` at the top level: a check runs it for four handler budgets before stopping it. */
const SPIN_AT_LOAD = `for (;;) {}\nexport default defineStrategy({ onWebhook() {} });\n`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Webhook sent → its FILL on /ws, in ms, as a client of the server sees it. */
async function webhookToFill(server: TestServer, client: WsClient, strategy: { id: string; webhookToken: string }, n: number) {
  const before = client.messages.length;
  const started = performance.now();
  const sent = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: n % 2 ? 'sell' : 'buy' });
  expect(sent.status).toBe(202);
  await client.next('FILL', (m) => m.data.strategyId === strategy.id && client.messages.indexOf(m) >= before, 20_000);
  return performance.now() - started;
}

/** `count` alerts, one every 100 ms or so (alerts come apart, not back to back). */
async function latencies(server: TestServer, client: WsClient, strategy: { id: string; webhookToken: string }, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(await webhookToFill(server, client, strategy, i));
    await new Promise((r) => setTimeout(r, 100));
  }
  return times;
}

describe.each([
  // Every strategy has a lane of its own in the queue: an alert waits for no tick.
  ['the in-process queue', '', 15],
  // Partitions carry several strategies there: a quote that would wait for the slow lane is
  // skipped, but one whose call started first holds its partition — an alert may wait behind one
  // or two such 40 ms ticks.
  ['BullMQ on Redis', REDIS_URL, 80],
])('sandbox fairness with %s: a slow script never holds up another strategy', (_label, redisUrl, margin) => {
  let server: TestServer;
  let dir: string;
  let client: WsClient;

  beforeAll(async () => {
    dir = scriptsDir({ 'healthy.ts': HEALTHY, 'busy.ts': BUSY });
    // A busy script that a loaded machine pushes over its budget now and then must keep ticking.
    server = await startServer({ redisUrl, overrides: { strategies: { dir, maxFailures: 1000, failureWindow: 1000 } } });
    client = await connectWs(server.url);
    client.send({ type: 'SUBSCRIBE', channels: ['FILL'] });
    await client.next('SUBSCRIBED');
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a healthy strategy's webhook → fill within twice its unloaded time while ten others spend 40 ms per onTick", async () => {
    const healthy = await createScripted(server, { name: 'healthy', script: 'healthy.ts' });
    await latencies(server, client, healthy, 4); // warm up: the isolate, the quote cache, the JIT
    const unloaded = median(await latencies(server, client, healthy, 15));

    const busy: { id: string; webhookToken: string }[] = [];
    for (let i = 0; i < 10; i++) busy.push(await createScripted(server, { name: `busy ${i}`, script: 'busy.ts' }));
    const ticks = async () => {
      let sum = 0;
      for (const b of busy) sum += Number((await savedState(server, b.id))?.ticks ?? 0);
      return sum;
    };
    await eventually(async () => (await ticks()) >= 20, 20_000, 'the busy strategies to be ticking');
    const sandbox = server.app.get(SandboxService);
    const ticksBefore = await ticks();
    // How often the slow lane is found running a busy script's call during the measurement.
    const samples: boolean[] = [];
    const sampler = setInterval(() => samples.push(sandbox.slow.queued > 0), 10);
    const started = Date.now();
    const loaded = median(await latencies(server, client, healthy, 15));
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const ticksDuring = (await ticks()) - ticksBefore;
    const busyShare = samples.filter(Boolean).length / samples.length;
    console.log(
      `webhook → fill p50: ${unloaded.toFixed(1)} ms alone, ${loaded.toFixed(1)} ms beside ten busy strategies (${ticksDuring} busy ticks in ${seconds.toFixed(1)} s, slow lane busy ${(busyShare * 100).toFixed(0)}% of the time)`,
    );

    // The load was real: a busy script's call was running for much of the time the healthy strategy
    // traded (a quote that finds the slow lane busy is skipped, so it idles between a call's end and
    // the next quote: 55–90% busy seen), and they kept ticking; how fast depends on the CPU the
    // machine has to spare...
    expect(busyShare).toBeGreaterThanOrEqual(0.4);
    expect(ticksDuring).toBeGreaterThanOrEqual(seconds);
    // ...in the slow lane, where their 40 ms calls wait for each other, not for the healthy one.
    expect(busy.every((b) => sandbox.laneOf(b.id) === 'slow')).toBe(true);
    expect(sandbox.laneOf(healthy.id)).toBe('main');
    // Sharing one sandbox process, the healthy alert waited behind up to ten 40 ms ticks (370–540 ms
    // against 10–30 ms unloaded). Now: within twice the unloaded median, with `margin` for what the
    // queue itself may hold it behind (above) on a 2-core machine. The bench measures the ratio
    // (`fairness-bench.ts`, target ≤ 2×).
    expect(loaded).toBeLessThanOrEqual(2 * unloaded + margin);
  }, 120_000);
});

describe('script uploads', () => {
  let server: TestServer;
  let dir: string;
  let client: WsClient;

  beforeAll(async () => {
    dir = scriptsDir({ 'healthy.ts': HEALTHY, 'busy.ts': BUSY });
    // A busy script that a loaded machine pushes over its budget now and then must keep ticking.
    server = await startServer({ overrides: { strategies: { dir, maxFailures: 1000, failureWindow: 1000 } } });
    client = await connectWs(server.url);
    client.send({ type: 'SUBSCRIBE', channels: ['FILL'] });
    await client.next('SUBSCRIBED');
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks uploads in a process of their own, rate-limited: a burst of spinning scripts does not delay live alerts', async () => {
    const healthy = await createScripted(server, { name: 'healthy during uploads', script: 'healthy.ts' });
    await latencies(server, client, healthy, 4);
    const baseline = median(await latencies(server, client, healthy, 9));
    const sandbox = server.app.get(SandboxService);
    const strategyHost = sandbox.pid;

    // 40 uploads at once, each spinning at its top level until the check stops it (4 × 50 ms).
    const burst = Promise.all(
      Array.from({ length: 40 }, (_, i) => http(server.url, 'PUT', `/api/scripts/spin-${i}.ts`, { source: SPIN_AT_LOAD })),
    );
    const during = await latencies(server, client, healthy, 9);
    const answers = await burst;

    const refusedAsBroken = answers.filter((a) => a.status === 400);
    const limited = answers.filter((a) => a.status === 429);
    // Every upload got an answer: checked and refused with the reason, or refused at once by the rate limit.
    expect(refusedAsBroken.length + limited.length).toBe(40);
    expect(refusedAsBroken.length).toBeLessThanOrEqual(server.config.strategies.uploadsPerMinute);
    expect(refusedAsBroken[0].body).toEqual(expect.objectContaining({ kind: 'timeout', message: expect.stringMatching(/budget/) }));
    expect(limited.some((a) => /too many script uploads/.test(a.body.message))).toBe(true);
    for (const answer of limited) {
      expect(answer.body.message).toMatch(/too many script uploads|the script checker is busy/);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // The checks ran in the checker process, not in the one running strategies...
    expect(sandbox.checker.spawns).toBeGreaterThanOrEqual(1);
    expect(sandbox.pid).toBe(strategyHost);
    // ...so live alerts did not wait for them: before, a shared host was busy for 8 s and alerts
    // ran 7–8 s late.
    expect(median(during)).toBeLessThanOrEqual(2 * baseline + 15);
    expect(Math.max(...during)).toBeLessThan(1000);
  }, 120_000);
});
