import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { ScriptFailure } from '../../../apps/server/src/sandbox/protocol.js';
import { SandboxHost, SandboxUnavailableError } from '../../../apps/server/src/sandbox/sandbox-host.js';
import { SandboxService } from '../../../apps/server/src/sandbox/sandbox.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, logs, orders, scriptsDir, settled } from '../../support/scripts.js';

const CPU_MS = 50;

const SPINNER = `
export default defineStrategy({
  tickers: ['NQ1!'],
  onTick() {
    for (;;) {}
  },
  onWebhook() {
    for (;;) {}
  },
});
`;

const HEALTHY = `
export default defineStrategy({
  onWebhook(alert, ctx) {
    if (alert.action === 'buy') ctx.buy(alert.ticker, 1);
    if (alert.action === 'sell') ctx.sell(alert.ticker, 1);
  },
});
`;

/** Milliseconds from "alert accepted" (the webhook's 202) to the order being on record. */
async function webhookToOrderMs(server: TestServer, strategy: { id: string; webhookToken: string }, n: number): Promise<number> {
  const sent = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: n % 2 ? 'sell' : 'buy' });
  expect(sent.status).toBe(202);
  const eventId = sent.body.eventId as string;
  await settled(server, strategy.id, eventId);
  const accepted = (await logs(server, strategy.id)).find((l) => l.category === 'webhook' && l.context?.eventId === eventId) as unknown as {
    time: string;
  };
  const order = (await orders(server, strategy.id)).find((o) => o.clientOrderId === `${eventId}:1`)!;
  return Date.parse(order.createdAt) - Date.parse(accepted.time);
}

describe('a runaway strategy and a crashing sandbox host leave the rest alone', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = scriptsDir({ 'spinner.ts': SPINNER, 'healthy.ts': HEALTHY });
    server = await startServer({ overrides: { strategies: { dir, cpuMs: CPU_MS, maxFailures: 1000, failureWindow: 1000 } } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delays a healthy strategy's webhook by no more than the runaway's CPU budget", async () => {
    const healthy = await createScripted(server, { name: 'healthy', script: 'healthy.ts' });
    const baseline: number[] = [];
    for (let i = 0; i < 6; i++) baseline.push(await webhookToOrderMs(server, healthy, i));

    // The spinner burns its whole budget on every quote of NQ (20 a second) and on every alert.
    const spinner = await createScripted(server, { name: 'spinner', script: 'spinner.ts' });
    const timeouts = async () =>
      (await logs(server, spinner.id, 1000)).filter((l) => l.level === 'error' && l.context?.kind === 'timeout').length;
    await eventually(async () => (await timeouts()) >= 3, 15000, 'the spinner to be spinning');
    const before = await timeouts();
    const loaded: number[] = [];
    for (let i = 0; i < 6; i++) {
      await hook(server, spinner.webhookToken, { ticker: 'NQ1!', action: 'buy' });
      loaded.push(await webhookToOrderMs(server, healthy, i));
    }
    // It really was spinning all along: each of its alerts ran out of its budget too...
    await eventually(async () => (await timeouts()) - before >= 6, 15000, 'the spinner alerts to time out');
    // ...in the slow lane, out of the healthy strategy's way.
    expect(server.app.get(SandboxService).laneOf(spinner.id)).toBe('slow');
    expect(server.app.get(SandboxService).laneOf(healthy.id)).toBe('main');
    // The healthy strategy waited for no spinner call: its worst alert is within a few ms of the
    // baseline's. Before the lanes it waited for the spinner call running in the shared host (its
    // budget, twice when a starved call gets its second run); unbounded, it would never have been
    // answered at all. The slack absorbs a 2-core machine busy with other test files.
    const slack = 1000;
    expect(Math.max(...loaded)).toBeLessThan(Math.max(...baseline) + 2 * CPU_MS + slack);
    expect((await orders(server, healthy.id)).filter((o) => o.status === 'filled')).toHaveLength(12);
    expect((await orders(server, spinner.id)).length).toBe(0);
    await http(server.url, 'PATCH', `/api/strategies/${spinner.id}`, { enabled: false });
  });

  it('restarts a sandbox host that died, while the webhook API keeps answering', async () => {
    const healthy = await createScripted(server, { name: 'healthy after crash', script: 'healthy.ts' });
    await webhookToOrderMs(server, healthy, 0);
    const sandbox = server.app.get(SandboxService);
    const pid = sandbox.pid!;
    const spawns = sandbox.spawns;
    process.kill(pid, 'SIGKILL');

    expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
    const sent = await hook(server, healthy.webhookToken, { ticker: 'MES1!', action: 'sell' });
    expect(sent.status).toBe(202);
    const done = await settled(server, healthy.id, sent.body.eventId);
    expect(done.message).toMatch(/sell 1 MES1! market → filled/);
    expect(sandbox.pid).not.toBe(pid);
    expect(sandbox.spawns).toBe(spawns + 1);
    const system = (await http(server.url, 'GET', '/api/logs?level=warn&limit=100')).body as { category: string; message: string }[];
    expect(system.some((l) => l.category === 'sandbox' && /sandbox host stopped \(SIGKILL\)/.test(l.message))).toBe(true);
  });
});

describe('sandbox host crash attribution', () => {
  let host: SandboxHost;
  const ctx = JSON.stringify({ strategyId: 's', params: {}, state: {}, positions: {}, quotes: {}, pnl: {}, now: 0, aliases: {} });
  beforeAll(async () => {
    host = new SandboxHost({ limits: { memoryMb: 32, cpuMs: 100 } });
    // One 400 MB array in a 32 MB isolate: V8 wedges the host, and the watchdog ends it.
    await host.load('wedge', 'wedge.ts', 'export default defineStrategy({ onWebhook() { new Array(50e6).fill(0); } });');
    await host.load('fast', 'fast.ts', "export default defineStrategy({ onWebhook(a, ctx) { ctx.buy('NQ1!', 1); } });");
  });
  afterAll(() => host.close());

  it('blames the call the host went down running, and lets the ones queued behind it be retried', async () => {
    const wedge = host.call('wedge', 'onWebhook', '{}', ctx).catch((e: unknown) => e);
    const fast = host.call('fast', 'onWebhook', '{}', ctx).catch((e: unknown) => e);
    const culprit = await wedge;
    expect(culprit).toBeInstanceOf(ScriptFailure);
    const kind = (culprit as ScriptFailure).error.kind;
    // V8 nearly always wedges on this; when isolated-vm catches it in time the host lives and the next call simply runs.
    expect(['crash', 'memory']).toContain(kind);
    if (kind === 'crash') expect(await fast).toBeInstanceOf(SandboxUnavailableError);
    else expect(await fast).toEqual(expect.objectContaining({ actions: [expect.objectContaining({ kind: 'order' })] }));
    // The retry (what the queue does) reaches a new host, which loads the script again by itself.
    const retried = await host.call('fast', 'onWebhook', '{}', ctx);
    expect(retried.actions).toEqual([{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: {} }]);
  });

  it('blames no tick among those answered together when the host goes down, then tells the next crash apart', async () => {
    const batched = new SandboxHost({ limits: { memoryMb: 32, cpuMs: 100 } });
    try {
      await batched.load('quick', 'quick.ts', 'let n = 0; export default defineStrategy({ onTick() { n++; } });');
      await batched.load('wedge', 'wedge.ts', 'export default defineStrategy({ onTick() { new Array(50e6).fill(0); } });');
      // Sent in one turn, so in one message: the quick tick's answer is held with the wedging one's.
      const quick = batched.call('quick', 'onTick', '{}', ctx).catch((e: unknown) => e);
      const wedge = batched.call('wedge', 'onTick', '{}', ctx).catch((e: unknown) => e);
      const first = await wedge;
      if (first instanceof ScriptFailure) {
        // isolated-vm caught it in time: the host lived, and each answer is the call's own.
        expect(first.error.kind).toBe('memory');
        expect(await quick).toEqual(expect.objectContaining({ actions: [] }));
        return;
      }
      expect(first).toBeInstanceOf(SandboxUnavailableError);
      expect(await quick).toBeInstanceOf(SandboxUnavailableError);
      // Retried (as the queue does), together again: answers are no longer held, so the crash is told apart.
      const quickAgain = batched.call('quick', 'onTick', '{}', ctx).catch((e: unknown) => e);
      const culprit = await batched.call('wedge', 'onTick', '{}', ctx).catch((e: unknown) => e);
      expect(culprit).toBeInstanceOf(ScriptFailure);
      expect(['crash', 'memory']).toContain((culprit as ScriptFailure).error.kind);
      expect(await quickAgain).toEqual(expect.objectContaining({ actions: [] }));
    } finally {
      await batched.close();
    }
  });

  it('blames nobody when the host is killed from outside: every call in flight is retried', async () => {
    // The slow call runs for 2 s, so the kill 50 ms in finds it running even when a busy machine
    // fires that timer late; its budget is far over that, so it cannot turn into a timeout.
    const roomy = new SandboxHost({ limits: { memoryMb: 32, cpuMs: 10_000 } });
    try {
      await roomy.load(
        'slow',
        'slow.ts',
        'export default defineStrategy({ onWebhook() { const end = Date.now() + 2000; while (Date.now() < end) {} } });',
      );
      await roomy.load('fast', 'fast.ts', "export default defineStrategy({ onWebhook(a, ctx) { ctx.buy('NQ1!', 1); } });");
      const slow = roomy.call('slow', 'onWebhook', '{}', ctx).catch((e: unknown) => e);
      const fast = roomy.call('fast', 'onWebhook', '{}', ctx).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      process.kill(roomy.pid!, 'SIGKILL');
      expect(await slow).toBeInstanceOf(SandboxUnavailableError);
      expect(await fast).toBeInstanceOf(SandboxUnavailableError);
      await expect(roomy.call('fast', 'onWebhook', '{}', ctx)).resolves.toEqual(expect.objectContaining({ actions: [expect.anything()] }));
    } finally {
      await roomy.close();
    }
  });
});
