import { afterAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropRedisKeys, eventually, http, REDIS_URL } from '../support/app.js';
import { installJournalBroker } from '../support/journal-broker.js';
import { freePort, launchServer } from '../support/processes.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `crash-test-${process.pid}-`)]));

/** Accepted webhooks survive a SIGKILL that lands while the broker is working, in both queue modes. */
describe.each([
  ['the in-process queue', ''],
  ['BullMQ on Redis', REDIS_URL],
])('killed with SIGKILL during broker calls (%s)', (_label, redisUrl) => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-crash-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = (port: number) =>
    launchServer(port, { DATA_DIR: join(dir, 'data'), REDIS_URL: redisUrl, TRADELOOP_CONFIG: join(dir, 'crash.yaml') });

  it('processes every accepted event exactly once: the broker holds one order per signal, the ledger one fill', async () => {
    const { journal } = installJournalBroker(dir);
    writeFileSync(
      join(dir, 'crash.yaml'),
      [
        `plugins:\n  dir: ${JSON.stringify(join(dir, 'plugins'))}\n  settings:\n    journal-broker:\n      journal: ${JSON.stringify(journal)}\n      delayMs: 120`,
        `queue:\n  prefix: crash-test-${process.pid}-${Date.now()}\n  lockSeconds: 2\n  stalledSeconds: 1`,
        `strategies:\n  dir: ${JSON.stringify(join(dir, 'strategies'))}`,
      ].join('\n'),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = await launch(port);
    const account = (await http(base, 'POST', '/api/accounts', { name: 'Journal', broker: 'journal-broker', brokerAccountId: 'J1' })).body;
    const strategy = (await http(base, 'POST', '/api/strategies', { name: 'crash', accountId: account.id })).body;

    const signals = 12;
    for (let i = 0; i < signals; i++) {
      const response = await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MES1!',
        action: 'buy',
        quantity: 1,
        price: 6800 + i,
        id: `signal-${i}`,
      });
      expect(response.status).toBe(202);
    }
    // Each order takes about a quarter second at the broker: this lands in the middle of one.
    await eventually(
      async () => existsSync(journal) && readFileSync(journal, 'utf8').split('\n').filter(Boolean).length >= 3,
      20000,
      'a few orders at the broker',
    );
    await new Promise((r) => setTimeout(r, 150));
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    child = await launch(port);
    await eventually(
      async () => {
        const events = (await http(base, 'GET', `/api/events?strategyId=${strategy.id}&limit=100`)).body as any[];
        return events.length === signals && events.every((e) => e.status === 'done');
      },
      60000,
      'every event done after the restart',
    );
    const atBroker = readFileSync(journal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).clientOrderId as string);
    expect(atBroker).toHaveLength(signals);
    expect(new Set(atBroker).size).toBe(signals);
    const orders = (await http(base, 'GET', `/api/orders?strategyId=${strategy.id}&limit=100`)).body;
    expect(orders.total).toBe(signals);
    expect(orders.items.every((o: any) => o.status === 'filled' && o.filledQuantity === 1)).toBe(true);
    const [position] = (await http(base, 'GET', `/api/positions?strategyId=${strategy.id}`)).body;
    expect(position.quantity).toBe(signals);
  }, 120_000);
});
