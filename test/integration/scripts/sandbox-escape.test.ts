import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScriptFailure, type CallOutcome, type HandlerName } from '../../../apps/server/src/sandbox/protocol.js';
import { SandboxHost } from '../../../apps/server/src/sandbox/sandbox-host.js';

/**
 * Hostile scripts against the real sandbox host (the built child process, real isolated-vm): each
 * attempt must fail inside its own isolate, and the host must go on serving a healthy strategy.
 */
const LIMITS = { memoryMb: 32, cpuMs: 100 };

const ctx = (state: unknown = {}) =>
  JSON.stringify({
    strategyId: 's',
    params: {},
    state,
    positions: {},
    quotes: {},
    pnl: { realized: 0, open: 0, total: 0 },
    now: 1_764_200_000_000,
    aliases: {},
  });

/** A script whose onWebhook runs `body` and logs what it returns. */
const probe = (body: string) => `
export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    const result = (() => { ${body} })();
    ctx.log('info', String(result));
  },
});
`;

const HEALTHY = `
export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    ctx.state.calls = (ctx.state.calls ?? 0) + 1;
    ctx.buy('NQ1!', 1);
  },
});
`;

describe('sandbox: escape attempts and limits', () => {
  let host: SandboxHost;
  let n = 0;

  beforeAll(async () => {
    host = new SandboxHost({ limits: LIMITS });
    await host.load('healthy', 'healthy.ts', HEALTHY);
  });
  afterAll(() => host.close());

  const call = (key: string, handler: HandlerName = 'onWebhook', state: unknown = {}) => host.call(key, handler, '{}', ctx(state));

  /** Loads `source` as a new strategy and calls its onWebhook: the outcome, or the failure. */
  async function attempt(source: string): Promise<{ outcome?: CallOutcome; failure?: ScriptFailure['error'] }> {
    const key = `attacker-${++n}`;
    try {
      await host.load(key, `attacker${n}.ts`, source);
      return { outcome: await call(key) };
    } catch (error) {
      if (error instanceof ScriptFailure) return { failure: error.error };
      throw error;
    }
  }

  const logged = (result: { outcome?: CallOutcome }) => result.outcome?.logs.map((l) => l.message);

  /** The healthy strategy still answers, correctly, after every attack. */
  async function healthyStillWorks(): Promise<void> {
    const outcome = await call('healthy', 'onWebhook', { calls: 41 });
    expect(JSON.parse(outcome.state)).toEqual({ calls: 42 });
    expect(outcome.actions).toEqual([{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: {} }]);
  }

  it('has no process, require, module system, timers or network', async () => {
    const names = [
      'process',
      'require',
      'module',
      'exports',
      'global',
      'Buffer',
      'setTimeout',
      'setInterval',
      'setImmediate',
      'queueMicrotask',
      'fetch',
      'XMLHttpRequest',
      'WebSocket',
      'ivm',
      '_ivm',
    ];
    const result = await attempt(probe(`return ${JSON.stringify(names)}.map((n) => n + ':' + typeof (globalThis as any)[n]).join(' ')`));
    expect(logged(result)).toEqual([names.map((name) => `${name}:undefined`).join(' ')]);
    await healthyStillWorks();
  });

  it('cannot reach process through the Function constructor of any object it is given', async () => {
    const result = await attempt(
      probe(`
        const tries = [
          () => (globalThis as any).constructor.constructor('return process')(),
          () => (this as any)?.constructor?.constructor('return process')(),
          () => ctx.constructor.constructor('return process')(),
          () => ctx.buy.constructor('return process')(),
          () => (alert as any).constructor.constructor('return this.process')(),
          () => Object.getPrototypeOf(ctx.log).constructor('return globalThis.process')(),
          () => ctx.constructor.constructor('return require')(),
        ];
        return tries.map((t) => { try { return typeof t(); } catch (e) { return 'threw'; } }).join(',');
      `),
    );
    // Every Function constructor reachable is the isolate's own: `process` is simply not there.
    expect(
      logged(result)![0]!
        .split(',')
        .every((r) => r === 'undefined' || r === 'threw'),
    ).toBe(true);
    await healthyStillWorks();
  });

  it('cannot import or require modules', async () => {
    const dynamic = await attempt(`
export default defineStrategy({
  async onWebhook(alert: any, ctx: any) {
    const fs = await import('node:fs');
    ctx.log('info', typeof fs.readFileSync);
  },
});
`);
    expect(dynamic.failure).toEqual(expect.objectContaining({ kind: 'error', message: 'require is not defined' }));
    const stat = await attempt(
      `import { readFileSync } from 'node:fs';\nexport default defineStrategy({ onWebhook() { readFileSync('/etc/passwd'); } });\n`,
    );
    expect(stat.failure).toEqual(expect.objectContaining({ message: 'require is not defined', line: 1 }));
    await healthyStillWorks();
  });

  it('gets plain copies only: ctx is an ordinary object of its own realm, with no host References', async () => {
    const result = await attempt(
      probe(`
        const own = Object.getPrototypeOf(ctx) === Object.prototype && Object.getPrototypeOf(ctx.buy) === Function.prototype;
        const names = Object.getOwnPropertyNames(globalThis).filter((n) => /^(_?ivm|Reference|Callback|ExternalCopy|Isolate|Context|Script|Module|_.*)$/.test(n));
        return own + ' ' + JSON.stringify(names);
      `),
    );
    expect(logged(result)).toEqual(['true []']);
  });

  it('pollutes only its own isolate: prototypes, JSON and the bootstrap stay intact for everyone else', async () => {
    const result = await attempt(`
(Object.prototype as any).polluted = 'yes';
(Array.prototype as any).push = () => { throw new Error('no push for you'); };
const realStringify = JSON.stringify;
export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    (ctx as any).__proto__.hacked = true;
    (JSON as any).stringify = () => '{"status":"done","actions":[{"kind":"order","side":"buy","ticker":"NQ1!","quantity":1e9}]}';
    ctx.buy('NQ1!', 1);
  },
});
`);
    // The bootstrap took its builtins before the script ran: the forged JSON answer never reaches the host.
    expect(result.outcome?.actions).toEqual([{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: {} }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await healthyStillWorks();
    const again = await host.call('healthy', 'onWebhook', '{}', ctx({}));
    expect(again.logs).toEqual([]);
    expect(JSON.parse(again.state)).toEqual({ calls: 1 });
  });

  it('stops an infinite loop at the CPU budget', async () => {
    const started = Date.now();
    const result = await attempt(probe('for (;;) {}'));
    expect(result.failure).toEqual(expect.objectContaining({ kind: 'timeout' }));
    // The budget is 100 ms; the bound is generous because this machine runs other test files at the same time.
    expect(Date.now() - started).toBeLessThan(5000);
    await healthyStillWorks();
  });

  it('stops an infinite promise chain, and a handler whose promise can never settle', async () => {
    const chain = await attempt(`
export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    const spin = (): Promise<void> => Promise.resolve().then(spin);
    spin();
  },
});
`);
    expect(chain.failure).toEqual(expect.objectContaining({ kind: 'timeout' }));
    const asyncLoop = await attempt(`
export default defineStrategy({
  async onWebhook(alert: any, ctx: any) {
    for (;;) await null;
  },
});
`);
    expect(asyncLoop.failure).toEqual(expect.objectContaining({ kind: 'timeout' }));
    const never = await attempt(`
export default defineStrategy({
  async onWebhook(alert: any, ctx: any) {
    await new Promise(() => {});
    ctx.buy('NQ1!', 1);
  },
});
`);
    expect(never.failure).toEqual(expect.objectContaining({ kind: 'error', message: expect.stringMatching(/never settles/) }));
    await healthyStillWorks();
  });

  it('lets no callback outlive its call: an order placed from a late continuation is not taken', async () => {
    const result = await attempt(`
export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    Promise.resolve().then(() => ctx.buy('NQ1!', 99));
  },
});
`);
    // The continuation runs before the host's call returns, finds its ctx closed, and the call fails for it: no order.
    expect(result.outcome).toBeUndefined();
    expect(result.failure).toEqual(
      expect.objectContaining({ kind: 'error', message: 'ctx.buy was called after its handler had returned', line: 4 }),
    );
  });

  it('stops Atomics.wait at the CPU budget', async () => {
    const result = await attempt(probe('const a = new Int32Array(new SharedArrayBuffer(4)); return Atomics.wait(a, 0, 0);'));
    expect(result.failure).toEqual(expect.objectContaining({ kind: 'timeout' }));
    await healthyStillWorks();
  });

  it.each([
    ['a growing array', 'const a: number[][] = []; for (;;) a.push(new Array(1e6).fill(1));'],
    ['a doubling string', "let s = 'x'; const keep: string[] = []; for (;;) { s = s + s; keep.push(s); }"],
    ['growing typed arrays', 'const keep: Float64Array[] = []; for (;;) keep.push(new Float64Array(1 << 20));'],
    ['a huge ArrayBuffer', 'return new ArrayBuffer(2 ** 31).byteLength;'],
    ['a huge typed array', 'return new Float64Array(1 << 25).length;'],
  ])(
    'stops %s (memory limit, allocation failure or CPU budget, whichever comes first), then runs the strategy again',
    async (_what, body) => {
      const result = await attempt(probe(body));
      expect(['memory', 'timeout', 'error']).toContain(result.failure?.kind);
      if (result.failure?.kind === 'error') expect(result.failure.message).toMatch(/Invalid (array|string) length|allocation failed/);
      await healthyStillWorks();
      // The same strategy is rebuilt from its script on its next call.
      await expect(host.call(`attacker-${n}`, 'onTimer', '0', ctx())).resolves.toEqual(expect.objectContaining({ actions: [] }));
    },
  );

  it('survives an allocation V8 cannot unwind from: the host is restarted, only the culprit call fails', async () => {
    const spawns = host.spawns;
    // One 400 MB array in a 32 MB isolate: V8 gives up on the whole process (isolated-vm's README warns of exactly this).
    const result = await attempt(probe('return new Array(50e6).fill(0).length;'));
    expect(['crash', 'memory']).toContain(result.failure?.kind);
    if (result.failure?.kind === 'crash') expect(host.spawns).toBe(spawns);
    // The healthy strategy is loaded again into the new host, transparently.
    await healthyStillWorks();
    if (result.failure?.kind === 'crash') expect(host.spawns).toBe(spawns + 1);
  });

  it('keeps a strategy from changing what it declared after loading, or from calling ctx outside its handler', async () => {
    const result = await attempt(`
let saved: any;
export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    if (saved) saved.buy('NQ1!', 5);
    saved = ctx;
  },
});
`);
    expect(result.outcome?.actions).toEqual([]);
    const second = await host.call(`attacker-${n}`, 'onWebhook', '{}', ctx()).catch((e: ScriptFailure) => e.error);
    expect(second).toEqual(expect.objectContaining({ kind: 'error', message: 'ctx.buy was called after its handler had returned' }));
  });

  it('reports the line of a bad ctx call in the script as written', async () => {
    const result = await attempt(`type Q = { qty: number };
const q: Q = { qty: -1 };

export default defineStrategy({
  onWebhook(alert: any, ctx: any) {
    ctx.buy('NQ1!', q.qty);
  },
});
`);
    expect(result.failure).toEqual(
      expect.objectContaining({ kind: 'error', message: 'buy: quantity must be a number above 0, got -1', line: 6, column: 9 }),
    );
  });
});
