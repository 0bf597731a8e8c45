import { afterAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, http } from '../support/app.js';
import { freePort, launchServer } from '../support/processes.js';

/** The built server as a real process, the way `npm start` runs it. */
const launch = (dataDir: string, port: number) =>
  launchServer(port, { DATA_DIR: dataDir, STRATEGIES_DIR: join(dataDir, 'strategies'), TRADELOOP_CONFIG: join(dataDir, 'test.yaml') });

describe('an accepted webhook survives kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-kill-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('executes every 202 exactly once after a crash and restart', async () => {
    const { writeFileSync } = await import('node:fs');
    // No feed: fills happen at the alert price, so the crash timing cannot change any number.
    writeFileSync(join(dataDir, 'test.yaml'), 'plugins:\n  disabled: [sim-feed]\n');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = await launch(dataDir, port);
    const strategy = (await http(base, 'POST', '/api/strategies', { name: 'crash test' })).body;

    const accepted: string[] = [];
    for (let i = 1; i <= 30; i++) {
      const response = await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MNQ1!',
        action: 'buy',
        quantity: 1,
        price: 25000 + i,
        id: `crash-${i}`,
      });
      expect(response.status).toBe(202);
      accepted.push(response.body.eventId);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    child = await launch(dataDir, port);
    const position = await eventually(
      async () => {
        const [p] = (await http(base, 'GET', `/api/positions?strategyId=${strategy.id}`)).body;
        return p?.quantity === 30 ? p : undefined;
      },
      20000,
      'all 30 buys to be filled',
    );
    expect(position.quantity).toBe(30);
    const orders = (await http(base, 'GET', `/api/orders?strategyId=${strategy.id}&limit=1000`)).body;
    expect(orders.total).toBe(30);
    expect(new Set(orders.items.map((o: any) => o.eventId))).toEqual(new Set(accepted));
    // Resending an already accepted id after the restart is still a duplicate.
    const again = await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'MNQ1!',
      action: 'buy',
      quantity: 1,
      price: 25001,
      id: 'crash-1',
    });
    expect(again.body).toEqual({ accepted: true, eventId: accepted[0], duplicate: true });
  }, 90000);
});
