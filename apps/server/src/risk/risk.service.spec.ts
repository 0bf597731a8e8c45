import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/load-config.js';
import type { PositionsReader } from '../ledger/positions.reader.js';
import { RiskService, type MarketOrderOnRecord } from './risk.service.js';

/**
 * The position as it will be once its market orders fill, with several processes: another
 * process books a fill between any two reads, and a fill moves the order on record and the
 * position in one commit. The reads are scripted here so that the fill lands exactly between
 * them; `orders-on-their-way-across-processes.test.ts` runs two real servers.
 */
describe('orders on record beside the positions (several processes)', () => {
  const buy = (filled: number): MarketOrderOnRecord => ({
    id: 'o1',
    accountId: 'acct',
    positionKey: 's1',
    ticker: 'ES1!',
    signed: 2 - filled,
    filled,
  });

  /** A risk service whose position reads answer `held` in turn, and whose orders on record answer `recorded` in turn. */
  const riskReading = (held: number[], recorded: MarketOrderOnRecord[][]) => {
    const positions = { quantityHeld: async () => (held.length > 1 ? held.shift() : held[0]) } as unknown as PositionsReader;
    const risk = new RiskService(loadConfig({ env: {} }), positions, null as never, null as never, null as never, null as never);
    let reads = 0;
    risk.readOrdersOnRecord(async () => {
      reads++;
      return recorded.length > 1 ? recorded.shift()! : recorded[0];
    });
    return { risk, reads: () => reads };
  };

  it('adds the market orders another process sent to the position on record', async () => {
    const { risk } = riskReading([0], [[buy(0), { ...buy(0), id: 'o2', positionKey: 'other' }]]);
    expect(await risk.positionOnceFilled('acct', 's1', 'ES1!')).toBe(2);
    expect(await risk.positionOnceFilled('acct', 's1', 'NQ1!')).toBe(0);
  });

  it('reads again when a fill was booked between the reads: counted once, not twice nor never', async () => {
    // The fill of 1 lands after the position was read (none held) and before the orders' second
    // read (1 to come): taken together they would say 1. Read again: 1 held, 1 to come.
    const { risk, reads } = riskReading([0, 1], [[buy(0)], [buy(1)], [buy(1)], [buy(1)]]);
    expect(await risk.positionOnceFilled('acct', 's1', 'ES1!')).toBe(2);
    expect(reads()).toBe(4);
  });

  it('reads again when an order sent meanwhile already has a fill in the position', async () => {
    // Sent, and filled in part after the position was read: not in the first read of the orders,
    // in the second with 1 to come. Read again: 1 held, 1 to come.
    const { risk, reads } = riskReading([0, 1], [[], [buy(1)], [buy(1)], [buy(1)]]);
    expect(await risk.positionOnceFilled('acct', 's1', 'ES1!')).toBe(2);
    expect(reads()).toBe(4);
  });

  it('lists the positions an order on record will move, once each, beside those on record', async () => {
    const { risk } = riskReading([0], [[buy(0), { ...buy(0), id: 'o3' }, { ...buy(0), id: 'o4', accountId: 'other', positionKey: '' }]]);
    const [value, filling] = await risk.withPositionsFilling(async () => 'read');
    expect(value).toBe('read');
    expect(filling).toEqual([
      { accountId: 'acct', positionKey: 's1', ticker: 'ES1!' },
      { accountId: 'other', positionKey: '', ticker: 'ES1!' },
    ]);
  });
});
