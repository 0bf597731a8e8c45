import { describe, expect, it } from '@jest/globals';
import type { RecordedOrder } from '@tradeloop/contracts';
import { refusalOf } from './answers.js';
import { matchByFields, type Candidate, type Target } from './recognition.js';
import { fateOf, isOpenStatus, needsCancel, ORD_STATUSES } from './statuses.js';
import { malformed, SyncState } from './sync-state.js';

describe('refusalOf (PlaceOrderResult, PlaceOsoResult, CommandResult)', () => {
  it.each([
    [{ orderId: 7 }, 'orderId', undefined],
    [{ failureReason: 'Success', orderId: 7 }, 'orderId', undefined],
    [{ failureReason: 'Success', failureText: '', orderId: 7, oso1Id: 8, oso2Id: null }, 'orderId', undefined],
    [{ failureReason: 'Success' }, 'orderId', 'no order id in the answer'],
    [{ failureReason: 'MaxPosLimitReached', failureText: 'Max position', orderId: 7 }, 'orderId', 'Max position: MaxPosLimitReached'],
    [{ failureReason: 'TooLate' }, 'any-id', 'TooLate'],
    [{ failureReason: 'Success', commandId: 3 }, 'any-id', undefined],
    [{ commandId: 3 }, 'any-id', undefined],
    [{ failureReason: 'Success' }, 'any-id', undefined],
    [{ failureText: 'Order not found' }, 'any-id', 'Order not found'],
    ['Access is denied', 'orderId', 'Access is denied'],
    [null, 'orderId', 'no answer'],
  ] as const)('%j needing %s → %j', (answer, needs, expected) => {
    expect(refusalOf(answer, needs)).toBe(expected);
  });
});

describe('order statuses', () => {
  it('gives every documented ordStatus a fate', () => {
    expect(Object.fromEntries(ORD_STATUSES.map((s) => [s, fateOf(s)]))).toEqual({
      Canceled: 'cancelled',
      Completed: 'filled',
      Expired: 'expired',
      Filled: 'filled',
      PendingCancel: 'live',
      PendingNew: 'pending',
      PendingReplace: 'live',
      Rejected: 'rejected',
      Suspended: 'live',
      Unknown: 'unknown',
      Working: 'live',
    });
    expect(fateOf('SomethingNew')).toBe('unknown');
  });

  it('counts what can still fill as open, and cancels all of it but what is being cancelled', () => {
    expect(ORD_STATUSES.filter(isOpenStatus)).toEqual(['PendingCancel', 'PendingNew', 'PendingReplace', 'Suspended', 'Working']);
    expect(ORD_STATUSES.filter(needsCancel)).toEqual(['PendingNew', 'PendingReplace', 'Suspended', 'Working']);
  });
});

describe('recognising recorded orders by their fields', () => {
  const record = (fields: Partial<RecordedOrder>): RecordedOrder => ({
    clientOrderId: 'a',
    brokerAccountId: 'DEMO1',
    brokerOrderId: null,
    ticker: 'NQ1!',
    side: 'buy',
    quantity: 2,
    type: 'limit',
    limitPrice: 25000,
    stopPrice: null,
    createdAt: 1_000_000,
    ...fields,
  });
  const target = (fields: Partial<RecordedOrder> = {}): Target => ({ record: record(fields), accountId: 501, root: 'NQ' });
  const candidate = (fields: Partial<Candidate>): Candidate => ({
    orderId: 1,
    accountId: 501,
    root: 'NQ',
    side: 'buy',
    quantity: 2,
    orderType: 'Limit',
    price: 25000,
    stopPrice: null,
    time: 1_000_100,
    clOrdId: null,
    automated: true,
    ...fields,
  });

  it('pairs oldest with oldest, each order once', () => {
    const matched = matchByFields(
      [target({ clientOrderId: 'late', createdAt: 1_000_500 }), target({ clientOrderId: 'early' })],
      [candidate({ orderId: 11, time: 1_000_600 }), candidate({ orderId: 10, time: 1_000_100 })],
    );
    expect([...matched]).toEqual([
      ['early', 10],
      ['late', 11],
    ]);
  });

  it.each([
    ['another account', { accountId: 502 }],
    ['another contract', { root: 'ES' }],
    ['the other side', { side: 'sell' as const }],
    ['another size', { quantity: 1 }],
    ['another type', { orderType: 'Stop' }],
    ['another limit price', { price: 25000.25 }],
    ['placed by a person', { automated: false }],
    ["another order's clOrdId", { clOrdId: 'tl:b' }],
    ['placed before it was recorded (beyond the clock skew)', { time: 1_000_000 - 5001 }],
  ])('does not take an order with %s', (_why, fields) => {
    expect(matchByFields([target()], [candidate(fields)]).size).toBe(0);
  });

  it('takes one placed a little before it was recorded (clocks differ), and one whose command kept its clOrdId', () => {
    expect(matchByFields([target()], [candidate({ time: 1_000_000 - 4000 })]).get('a')).toBe(1);
    expect(matchByFields([target()], [candidate({ clOrdId: 'tl:a', automated: undefined })]).get('a')).toBe(1);
  });
});

describe('the synced state', () => {
  it('applies an array entity one entity at a time and names what it left out', () => {
    const state = new SyncState();
    const problems: string[] = [];
    const applied = state.apply(
      'fill',
      'Created',
      [
        { id: 1, orderId: 9, contractId: 3, qty: 1, price: 25000, action: 'Buy', timestamp: '' },
        { id: 2, orderId: 9, contractId: 3, qty: 0, price: 25000, action: 'Buy' },
        { orderId: 9 },
      ],
      (type, problem) => problems.push(`${type}: ${problem}`),
    );
    expect(applied).toHaveLength(1);
    expect([...state.fills.keys()]).toEqual([1]);
    expect(problems).toEqual(['fill: quantity 0', 'fill: no numeric id']);
  });

  it("reads a risk rejection's words from the command report of the order's command", () => {
    const state = new SyncState();
    state.apply('command', 'Created', { id: 70, orderId: 9, commandType: 'New' });
    state.apply('commandReport', 'Created', [
      { id: 80, commandId: 70, commandStatus: 'RiskPassed', rejectReason: 'Success' },
      { id: 81, commandId: 70, commandStatus: 'RiskRejected', rejectReason: 'MaxPosLimitReached', text: 'Max position' },
    ]);
    expect(state.rejectionOf(9)).toBe('Max position — MaxPosLimitReached');
    expect(state.refusedCommand(9)?.id).toBe(81);
    expect(malformed('order', { id: 9, accountId: 1, action: 'Hold' })).toBe('no accountId or action');
  });
});
