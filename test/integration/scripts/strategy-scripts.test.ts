import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { createScripted, hook, logs, orders, savedState, scriptsDir, settled, strategyMessages } from '../../support/scripts.js';

const COUNTER = `
export default defineStrategy({
  params: { qty: 1, ticker: 'NQ1!' },
  state: { alerts: 0 },
  onWebhook(alert, ctx) {
    ctx.state.alerts += 1;
    ctx.log('info', 'v1 alert ' + ctx.state.alerts);
    if (alert.action === 'buy') ctx.buy(ctx.params.ticker, ctx.params.qty);
    if (alert.action === 'sell') ctx.sell(ctx.params.ticker, ctx.params.qty);
    if (alert.action === 'exit') ctx.flatten();
  },
});
`;

const BURST = `
export default defineStrategy({
  onWebhook(alert, ctx) {
    if (alert.action === 'buy') for (let i = 0; i < 6; i++) ctx.buy('MYM1!', 1);
    if (alert.action === 'sell') ctx.state = { blob: 'x'.repeat(70 * 1024) };
    if (alert.action === 'exit') ctx.flatten();
  },
});
`;

const FAILING = `
export default defineStrategy({
  onWebhook(alert: { action?: string }, ctx) {
    if (alert.action === 'buy') {
      ctx.buy('MES1!', 1);
      return;
    }
    const nested = (): number => {
      throw new Error('bad alert: ' + alert.action);
    };
    nested();
  },
});
`;

/** The scripts API, linking strategies to scripts, and a scripted strategy end to end on SQLite with the in-process queue. */
describe('strategy scripts', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = scriptsDir({ 'counter.ts': COUNTER, 'failing.ts': FAILING, 'burst.ts': BURST, 'notes.md': '# not a script' });
    server = await startServer({ overrides: { strategies: { dir, maxFailures: 3, failureWindow: 3, maxOrdersPerMinute: 4 } } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('scripts API', () => {
    it('lists the scripts in the folder with what each declares', async () => {
      const list = await http(server.url, 'GET', '/api/scripts');
      expect(list.status).toBe(200);
      expect(list.body.map((s: any) => s.name)).toEqual(['burst.ts', 'counter.ts', 'failing.ts']);
      expect(list.body[1]).toEqual(
        expect.objectContaining({
          name: 'counter.ts',
          loaded: true,
          error: null,
          handlers: ['onWebhook'],
          params: { qty: 1, ticker: 'NQ1!' },
        }),
      );
      const one = await http(server.url, 'GET', '/api/scripts/counter.ts');
      expect(one.status).toBe(200);
      expect(one.body.source).toBe(COUNTER);
    });

    it('saves a script that loads, and refuses one that does not with its line and column, writing nothing', async () => {
      const saved = await http(server.url, 'PUT', '/api/scripts/hello.ts', {
        source: "export default defineStrategy({ params: { size: 2 }, onWebhook(alert, ctx) { ctx.buy('NQ1!', ctx.params.size); } });\n",
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toEqual(expect.objectContaining({ name: 'hello.ts', handlers: ['onWebhook'], params: { size: 2 } }));
      expect(readFileSync(join(dir, 'hello.ts'), 'utf8')).toContain('params: { size: 2 }');

      const broken = await http(server.url, 'PUT', '/api/scripts/broken.ts', {
        source: 'export default defineStrategy({\n  onWebhook(alert, ctx) {\n    ctx.buy("NQ1!", 1;\n  },\n});\n',
      });
      expect(broken.status).toBe(400);
      expect(broken.body).toEqual(
        expect.objectContaining({ kind: 'syntax', line: 3, column: 22, message: "source: broken.ts:3:22: ')' expected." }),
      );
      expect(existsSync(join(dir, 'broken.ts'))).toBe(false);

      const overwrite = await http(server.url, 'PUT', '/api/scripts/hello.ts', {
        source: 'export default defineStrategy({ onWebhook() {} ',
      });
      expect(overwrite.status).toBe(400);
      expect(readFileSync(join(dir, 'hello.ts'), 'utf8')).toContain('params: { size: 2 }');

      const noExport = await http(server.url, 'PUT', '/api/scripts/empty.ts', { source: 'const x = 1;\n' });
      expect(noExport.status).toBe(400);
      expect(noExport.body.message).toMatch(/export default defineStrategy/);

      const throwsAtLoad = await http(server.url, 'PUT', '/api/scripts/throws.ts', { source: '\n\nthrow new Error("not today");\n' });
      expect(throwsAtLoad.status).toBe(400);
      expect(throwsAtLoad.body).toEqual(expect.objectContaining({ line: 3, message: 'source: not today' }));

      const missingField = await http(server.url, 'PUT', '/api/scripts/x.ts', {});
      expect(missingField.status).toBe(400);
      expect(JSON.stringify(missingField.body.message)).toMatch(/source/);
    });

    it.each([
      ['%2E%2E%2Fpackage.json', 'GET'],
      ['..%2F..%2Fpackage.json', 'GET'],
      ['..%2Fescape.ts', 'PUT'],
      ['%2E%2E%5Cescape.ts', 'PUT'],
      ['sub%2Fx.ts', 'PUT'],
      ['tradeloop.d.ts', 'PUT'],
      ['.hidden.ts', 'PUT'],
      ['x.sh', 'PUT'],
      ['..%2Fcounter.ts', 'DELETE'],
    ])('refuses the name %s (%s) without touching a file outside the folder', async (name, method) => {
      const response = await http(server.url, method, `/api/scripts/${name}`, method === 'PUT' ? { source: COUNTER } : undefined);
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/^name: /);
      expect(existsSync(join(dir, '..', 'escape.ts'))).toBe(false);
    });

    it('refuses to delete a script a strategy runs, and deletes one nobody runs', async () => {
      const strategy = await createScripted(server, { name: 'uses hello', script: 'hello.ts' });
      const refused = await http(server.url, 'DELETE', '/api/scripts/hello.ts');
      expect(refused.status).toBe(409);
      await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { script: null });
      const deleted = await http(server.url, 'DELETE', '/api/scripts/hello.ts');
      expect(deleted.status).toBe(204);
      expect(existsSync(join(dir, 'hello.ts'))).toBe(false);
      expect((await http(server.url, 'GET', '/api/scripts/hello.ts')).status).toBe(404);
    });
  });

  describe('linking a strategy to a script', () => {
    it('validates the script name and the params against the declared defaults, naming the field', async () => {
      const unknown = await http(server.url, 'POST', '/api/strategies', { name: 'nope', script: 'missing.ts' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toBe('script: no script named missing.ts in the scripts folder');

      const wrongType = await http(server.url, 'POST', '/api/strategies', { name: 'nope', script: 'counter.ts', params: { qty: 'two' } });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.message).toBe('params.qty must be a number (the default is 1), got "two"');

      const undeclared = await http(server.url, 'POST', '/api/strategies', { name: 'nope', script: 'counter.ts', params: { size: 2 } });
      expect(undeclared.status).toBe(400);
      expect(undeclared.body.message).toMatch(/^params\.size: counter\.ts has no such parameter/);

      const created = await http(server.url, 'POST', '/api/strategies', { name: 'linked', script: 'counter.ts', params: { qty: 2 } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual(
        expect.objectContaining({ script: 'counter.ts', params: { qty: 2 }, status: 'enabled', statusReason: null }),
      );

      const patched = await http(server.url, 'PATCH', `/api/strategies/${created.body.id}`, { params: { qty: false } });
      expect(patched.status).toBe(400);
      expect(patched.body.message).toMatch(/^params\.qty must be a number/);
      const plain = await http(server.url, 'POST', '/api/strategies', { name: 'plain with params', params: { qty: 2 } });
      expect(plain.status).toBe(400);
      expect(plain.body.message).toMatch(/^params: /);
    });
  });

  describe('running', () => {
    let strategy: { id: string; webhookToken: string };

    beforeAll(async () => {
      strategy = await createScripted(server, { name: 'counter', script: 'counter.ts', params: { qty: 2 } });
    });

    it('turns an alert into the orders the script places, with params, saved state and its log', async () => {
      const buy = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy' });
      expect(buy.status).toBe(202);
      const done = await settled(server, strategy.id, buy.body.eventId);
      expect(done.message).toMatch(/buy 2 NQ1! market → filled/);
      const placed = await orders(server, strategy.id);
      expect(placed.map((o) => [o.side, o.quantity, o.ticker, o.status, o.clientOrderId])).toEqual([
        ['buy', 2, 'NQ1!', 'filled', `${buy.body.eventId}:1`],
      ]);
      expect(await savedState(server, strategy.id)).toEqual({ alerts: 1 });
      expect((await logs(server, strategy.id)).some((l) => l.category === 'script' && l.message === 'onWebhook: v1 alert 1')).toBe(true);

      const exit = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'exit' });
      await settled(server, strategy.id, exit.body.eventId);
      const positions = await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`);
      expect(positions.body).toEqual([]);
      expect(await savedState(server, strategy.id)).toEqual({ alerts: 2 });
    });

    it('reloads a changed file without a restart and keeps the strategy state', async () => {
      const before = (await savedState(server, strategy.id)) as { alerts: number };
      writeFileSync(
        join(dir, 'counter.ts'),
        COUNTER.replace("'v1 alert '", "'v2 alert '").replace('ctx.state.alerts += 1', 'ctx.state.alerts += 10'),
      );
      await eventually(
        async () => ((await http(server.url, 'GET', '/api/logs?limit=50')).body as any[]).find((l) => l.message === 'counter.ts reloaded'),
        10000,
        'the file to be reloaded',
      );
      const sent = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'cancel' });
      await settled(server, strategy.id, sent.body.eventId);
      expect(await savedState(server, strategy.id)).toEqual({ alerts: before.alerts + 10 });
      expect((await logs(server, strategy.id)).some((l) => l.message === `onWebhook: v2 alert ${before.alerts + 10}`)).toBe(true);
    });

    it('keeps the running version when the file on disk is broken, and says so', async () => {
      const before = (await savedState(server, strategy.id)) as { alerts: number };
      writeFileSync(join(dir, 'counter.ts'), 'export default defineStrategy({ onWebhook( {');
      await eventually(
        async () => (await http(server.url, 'GET', '/api/scripts')).body.find((s: any) => s.name === 'counter.ts')?.error,
        10000,
        'the broken file to be noticed',
      );
      const sent = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'cancel' });
      await settled(server, strategy.id, sent.body.eventId);
      expect(await savedState(server, strategy.id)).toEqual({ alerts: before.alerts + 10 });
      const system = (await http(server.url, 'GET', '/api/logs?level=error&limit=50')).body as any[];
      expect(system.some((l) => /counter\.ts does not load \(the previous version keeps running\): counter\.ts:1:/.test(l.message))).toBe(
        true,
      );
    });
  });

  describe('limits', () => {
    it('holds a strategy to maxOrdersPerMinute, and still lets flatten close the position', async () => {
      const strategy = await createScripted(server, { name: 'burst', script: 'burst.ts' });
      const buy = await hook(server, strategy.webhookToken, { ticker: 'MYM1!', action: 'buy' });
      const done = await settled(server, strategy.id, buy.body.eventId);
      expect(done.message.match(/refused: more than 4 orders in a minute/g)).toHaveLength(2);
      expect((await orders(server, strategy.id)).filter((o) => o.status === 'filled')).toHaveLength(4);
      const warnings = (await logs(server, strategy.id)).filter((l) => l.level === 'warn' && l.category === 'script');
      expect(warnings.map((l) => l.message)).toEqual(Array(2).fill('onWebhook: buy 1 MYM1! refused: more than 4 orders in a minute'));

      const exit = await hook(server, strategy.webhookToken, { ticker: 'MYM1!', action: 'exit' });
      await settled(server, strategy.id, exit.body.eventId);
      expect((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body).toEqual([]);
    });

    it('refuses a ctx.state over 64 KiB as a failed call, keeping the saved one', async () => {
      const strategy = await createScripted(server, { name: 'big state', script: 'burst.ts' });
      const sent = await hook(server, strategy.webhookToken, { ticker: 'MYM1!', action: 'sell' });
      const done = await settled(server, strategy.id, sent.body.eventId);
      expect(done.message).toMatch(/onWebhook failed \(invalid\): ctx\.state is larger than 64 KiB/);
      expect(await savedState(server, strategy.id)).toBeNull();
    });
  });

  describe('failures', () => {
    it('logs a throw with its stack in script lines, and after maxFailures of the last calls sets the strategy errored, live', async () => {
      const strategy = await createScripted(server, { name: 'failing', script: 'failing.ts' });
      // From here on: creating it was announced too, as enabled.
      const published = strategyMessages(server);
      const first = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'sell' });
      const done = await settled(server, strategy.id, first.body.eventId);
      expect(done.level).toBe('warn');
      expect(done.message).toMatch(/onWebhook failed \(error\) at failing\.ts:9:13: bad alert: sell/);
      const error = (await logs(server, strategy.id)).find((l) => l.category === 'script' && l.level === 'error')!;
      expect(error.message).toMatch(/\[1 of the last 1 calls failed; it stops at 3 of 3\]$/);
      // Script lines, not the transpiled ones: the throw is on line 9, its caller on line 11.
      expect(error.context!.stack).toMatch(/at nested \(failing\.ts:9:13\)/);
      expect(error.context!.stack).toMatch(/failing\.ts:11:5/);
      expect(error.context!.stack).not.toMatch(/tradeloop:sandbox|isolated-vm|dist\//);

      // A success in between keeps the failures under 3 of the last 3 calls.
      const ok = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'buy' });
      await settled(server, strategy.id, ok.body.eventId);
      for (const n of [1, 2]) {
        const sent = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'sell', id: `fail-${n}` });
        await settled(server, strategy.id, sent.body.eventId);
      }
      expect((await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body.status).toBe('enabled');
      const third = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'sell', id: 'fail-3' });
      await settled(server, strategy.id, third.body.eventId);

      const after = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body;
      expect(after).toEqual(
        expect.objectContaining({
          status: 'errored',
          enabled: false,
          statusReason: expect.stringMatching(/^3 of its last 3 calls failed; last: onWebhook failed/),
        }),
      );
      expect(published).toEqual([
        expect.objectContaining({ id: strategy.id, name: 'failing', status: 'errored', reason: after.statusReason }),
      ]);
      const refused = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'buy' });
      expect(refused.status).toBe(409);

      const enabled = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: true });
      expect(enabled.body).toEqual(expect.objectContaining({ status: 'enabled', statusReason: null }));
      expect(published.map((m) => m.status)).toEqual(['errored', 'enabled']);
      const again = await hook(server, strategy.webhookToken, { ticker: 'MES1!', action: 'buy', id: 'after-enable' });
      expect(again.status).toBe(202);
    });
  });
});
