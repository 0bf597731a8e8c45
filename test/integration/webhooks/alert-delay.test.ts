import { afterAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropRedisKeys, eventually, http, REDIS_URL } from '../../support/app.js';
import { freePort, launchServer } from '../../support/processes.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `delay-test-${process.pid}-`)]));

/**
 * A `delay` holds an alert in the database, not in a timer: a server killed with SIGKILL during
 * the delay trades it once when it is back, one killed after it traded does not trade it again, and
 * one that was down when it fell due trades it at start and says it ran late.
 */
describe.each([
  ['the in-process queue', ''],
  ['BullMQ on Redis', REDIS_URL],
])('a delayed alert across real restarts (%s)', (_label, redisUrl) => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-delay-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is neither lost nor doubled', async () => {
    writeFileSync(
      join(dir, 'delay.yaml'),
      [
        'plugins:\n  disabled: [sim-feed, tradovate, ws-data-feed]',
        `queue:\n  prefix: delay-test-${process.pid}-${Date.now()}\n  lockSeconds: 2\n  stalledSeconds: 1`,
        `strategies:\n  dir: ${JSON.stringify(join(dir, 'strategies'))}`,
      ].join('\n'),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const launch = () =>
      launchServer(port, { DATA_DIR: join(dir, 'data'), REDIS_URL: redisUrl, TRADELOOP_CONFIG: join(dir, 'delay.yaml') });
    const kill = async () => {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGKILL');
      await exited;
    };
    child = await launch();
    const strategy = (await http(base, 'POST', '/api/strategies', { name: 'delayed' })).body;
    const send = async (body: object) => {
      const sentAt = Date.now();
      const response = await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, body);
      expect(response.status).toBe(202);
      return { ...response.body, sentAt };
    };
    const eventOf = async (id: string) => (await http(base, 'GET', `/api/events/${id}`)).body;
    const ordersOf = async (eventId: string) =>
      ((await http(base, 'GET', `/api/orders?strategyId=${strategy.id}&limit=100`)).body.items as any[]).filter(
        (o) => o.eventId === eventId,
      );
    const position = async () => ((await http(base, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[])[0]?.quantity ?? 0;
    const fills = async () => (await http(base, 'GET', `/api/fills?strategyId=${strategy.id}`)).body.total as number;

    // 1. Killed during the delay: held on disk, traded once after the restart, not before its time.
    const first = await send({ ticker: 'NQ1!', action: 'buy', quantity: 1, price: 25000, delay: 6, id: 'delayed-1' });
    expect(Date.parse(first.delayedUntil) - first.sentAt).toBeGreaterThanOrEqual(5900);
    expect((await eventOf(first.eventId)).status).toBe('delayed');
    await kill();
    child = await launch();
    await eventually(async () => (await eventOf(first.eventId)).status === 'done', 20000, 'the first delayed alert');
    const [placed, ...more] = await ordersOf(first.eventId);
    expect(more).toEqual([]);
    expect([placed.side, placed.quantity, placed.status]).toEqual(['buy', 1, 'filled']);
    // Not before its time, however quickly or slowly the server came back.
    expect(Date.parse(placed.createdAt)).toBeGreaterThanOrEqual(Date.parse(first.delayedUntil));
    expect(await position()).toBe(1);

    // 2. Killed after it traded: not traded again.
    const second = await send({ ticker: 'NQ1!', action: 'buy', quantity: 1, price: 25001, delay: 1, id: 'delayed-2' });
    await eventually(async () => (await eventOf(second.eventId)).status === 'done', 15000, 'the second delayed alert');
    await kill();
    child = await launch();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await ordersOf(second.eventId)).toHaveLength(1);
    expect(await position()).toBe(2);
    expect(await fills()).toBe(2);

    // 3. Due while the server was down: traded once at start, and the log says it ran late.
    const third = await send({ ticker: 'NQ1!', action: 'sell', quantity: 2, price: 25002, delay: 1, id: 'delayed-3' });
    await kill();
    await new Promise((resolve) => setTimeout(resolve, 7000));
    child = await launch();
    await eventually(async () => (await eventOf(third.eventId)).status === 'done', 15000, 'the third delayed alert');
    expect(await ordersOf(third.eventId)).toHaveLength(1);
    expect(await position()).toBe(0);
    expect(await fills()).toBe(3);
    const logs = (await http(base, 'GET', `/api/logs?strategyId=${strategy.id}&limit=200`)).body as any[];
    expect(
      logs.some(
        (l) =>
          l.level === 'warn' && new RegExp(`delayed alert due: queued \\(event ${third.eventId}\\), \\d+ s after its time`).test(l.message),
      ),
    ).toBe(true);
    // A repeat of a delayed alert's id is still a duplicate.
    const again = await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'sell',
      quantity: 2,
      delay: 1,
      id: 'delayed-3',
    });
    expect(again.body).toEqual(expect.objectContaining({ duplicate: true, eventId: third.eventId }));
  }, 120_000);
});
