import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker that holds the orders it is sent, answering each "working", and reports all their fills
 * at once, in one turn of the event loop, when it is sent an MES order (which it refuses) — as a
 * flood of alerts brings many fills together. Each ticker's k-th fill is priced from its base:
 * NQ 25,000 + 4k, ES 6,800 + 2k, MNQ 25,010.
 */
const TOGETHER_BROKER = `
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const held = [];
    const base = { 'NQ1!': [25000, 4], 'ES1!': [6800, 2], 'MNQ1!': [25010, 0] };
    return {
      async placeOrder(order) {
        if (order.ticker !== 'MES1!') {
          held.push(order);
          return { brokerOrderId: 'T-' + order.clientOrderId, status: 'working' };
        }
        const seen = {};
        for (const o of held.splice(0)) {
          const k = (seen[o.ticker] = (seen[o.ticker] ?? -1) + 1);
          void ctx.reportFill({ fillId: 'T-' + o.clientOrderId, clientOrderId: o.clientOrderId, brokerOrderId: 'T-' + o.clientOrderId,
            ticker: o.ticker, side: o.side, quantity: o.quantity, price: base[o.ticker][0] + base[o.ticker][1] * k, commission: 0,
            time: Date.now() }).catch(() => undefined);
        }
        return { brokerOrderId: '', status: 'rejected', reason: 'the signal to fill the others' };
      },
      async cancelOrder() {
        return false;
      },
    };
  },
};
`;

/**
 * Fills reported together are booked together: on PostgreSQL in one transaction (one start, one
 * commit, their log lines written together), two fills of one position among them each booked on
 * what the one before left. Hand-computed: NQ two buys at 25,000 and 25,004 (average 25,002), ES
 * two at 6,800 and 6,802 (average 6,801), MNQ one at 25,010.
 */
describe.each(['sqlite', 'postgres'] as const)('fills reported together (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let account: { id: string };

  const rows = <T>(sql: string, params: unknown[] = []) =>
    server.app.get(DatabaseService).dataSource.query(kind === 'postgres' ? sql.replace('?', '$1') : sql, params) as Promise<T[]>;

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'together-broker': TOGETHER_BROKER }));
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Together', broker: 'together-broker', brokerAccountId: 'T1' }))
      .body;
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('books every fill on its order and its position, to the cent', async () => {
    const placed = await Promise.all(
      ['NQ1!', 'ES1!', 'NQ1!', 'MNQ1!', 'ES1!'].map((ticker) =>
        http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker, side: 'buy', quantity: 1 }),
      ),
    );
    expect(placed.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const counted = async (status: string) =>
      Number(
        (await rows<{ n: unknown }>(`SELECT count(*) AS "n" FROM orders WHERE "accountId" = ? AND "status" = '${status}'`, [account.id]))[0]
          .n,
      );
    // Every order answered and on record as working before the five fills come.
    await eventually(async () => (await counted('working')) === 5, 10_000, 'five orders working');
    const signal = await http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'MES1!', side: 'buy', quantity: 1 });
    expect(signal.body.status).toBe('rejected');
    await eventually(async () => (await counted('filled')) === 5, 10_000, 'five orders filled');

    const positions = (
      await rows<{ ticker: string; quantity: unknown; avgPrice: unknown; realizedCents: unknown }>(
        'SELECT "ticker", "quantity", "avgPrice", "realizedCents" FROM positions WHERE "accountId" = ? ORDER BY "ticker"',
        [account.id],
      )
    ).map((p) => ({
      ticker: p.ticker,
      quantity: Number(p.quantity),
      avgPrice: Number(p.avgPrice),
      realizedCents: Number(p.realizedCents),
    }));
    expect(positions).toEqual([
      { ticker: 'ES1!', quantity: 2, avgPrice: 6801, realizedCents: 0 },
      { ticker: 'MNQ1!', quantity: 1, avgPrice: 25010, realizedCents: 0 },
      { ticker: 'NQ1!', quantity: 2, avgPrice: 25002, realizedCents: 0 },
    ]);
    const fills = await rows<{ price: unknown }>('SELECT "price" FROM fills WHERE "accountId" = ? ORDER BY "price"', [account.id]);
    expect(fills.map((f) => Number(f.price))).toEqual([6800, 6802, 25000, 25004, 25010]);
    // Each fill's log line was written with it.
    const lines = await rows<{ n: unknown }>(`SELECT count(*) AS "n" FROM log_entries WHERE "category" = 'fill'`);
    expect(Number(lines[0].n)).toBe(5);

    if (kind === 'postgres') {
      // The transaction that inserted each row (xmin): the five fills, and the lines, in one.
      const fillTransactions = await rows<{ n: unknown }>('SELECT count(DISTINCT xmin::text) AS "n" FROM fills WHERE "accountId" = ?', [
        account.id,
      ]);
      expect(Number(fillTransactions[0].n)).toBe(1);
      const lineTransactions = await rows<{ n: unknown }>(
        `SELECT count(DISTINCT xmin::text) AS "n" FROM log_entries WHERE "category" = 'fill'`,
      );
      expect(Number(lineTransactions[0].n)).toBe(1);
    }
  });
});
