import { describe, expect, it } from '@jest/globals';
import {
  advanceClock,
  closeDay,
  observeEquity,
  openAccount,
  recordFill,
  type AccountRules,
  type AccountState,
  type RuleEvent,
} from './account-rules.js';
import { accountMargins, checkOrder } from './account-rules-orders.js';

// Trading days run 18:00–18:00 America/New_York; in March 2026 after the 8th New York is UTC−4,
// so trading date Tue 2026-03-17 is 2026-03-16T22:00Z to 2026-03-17T22:00Z. Every figure below
// is worked out by hand in the comment beside it.
const at = (iso: string) => Date.parse(iso);
const usd = (dollars: number) => Math.round(dollars * 100);
const TUE = (hhmmZ: string) => at(`2026-03-17T${hhmmZ}:00Z`);
const END_OF_TUE = at('2026-03-17T22:00:00Z');

function rules(overrides: Partial<AccountRules> = {}): AccountRules {
  return {
    startingBalanceCents: usd(50_000),
    timeZone: 'America/New_York',
    dayStart: '18:00',
    profitTargetCents: null,
    dailyLoss: null,
    dailyProfitTarget: null,
    drawdown: null,
    contracts: null,
    consistency: null,
    hours: null,
    warnAtPercent: 25,
    ...overrides,
  };
}

/** Walks an equity path (balance fixed, open P&L moving) and reports every event with the equity that caused it. */
function walk(r: AccountRules, start: AccountState, path: [number, number][], balance = r.startingBalanceCents) {
  let state = start;
  const seen: { equity: number; event: RuleEvent }[] = [];
  for (const [time, equity] of path) {
    const step = observeEquity(r, state, { at: time, balanceCents: balance, openPnlCents: equity - balance });
    state = step.state;
    for (const event of step.events) seen.push({ equity, event });
  }
  return { state, seen };
}

const breaches = (seen: { equity: number; event: RuleEvent }[]) => seen.filter((s) => s.event.kind === 'breach');

describe('intraday trailing drawdown', () => {
  // The drawdown taxonomy's example (powerFC/propfirm-rules-dataset, docs/drawdown-taxonomy.md §3):
  // $50,000, $2,000 intraday trail; an open trade runs to $53,000 and is given back to breakeven.
  const r = rules({ drawdown: { mode: 'intraday', amountCents: usd(2000), trailStopsAtCents: null, checkedOn: 'equity' } });

  it('raises the floor with peak equity, open P&L included, and breaches on the first tick that touches it', () => {
    const { state, seen } = walk(r, openAccount(r, TUE('13:30')), [
      [TUE('14:00'), usd(50_000)], // floor 48,000
      [TUE('14:05'), usd(51_500)], // peak 51,500 → floor 49,500
      [TUE('14:10'), usd(53_000)], // peak 53,000 → floor 51,000
      [TUE('14:15'), usd(52_000)], // $1,000 left
      [TUE('14:20'), usd(51_000) + 1], // one cent left: still trading
      [TUE('14:25'), usd(51_000)], // touches the floor: breach
      [TUE('14:30'), usd(50_000)], // breakeven: already failed, nothing new
    ]);
    expect(state.highCents).toBe(usd(53_000));
    expect(state.floorCents).toBe(usd(51_000));
    const [breach] = breaches(seen);
    expect(breaches(seen)).toHaveLength(1);
    expect(breach.equity).toBe(usd(51_000));
    expect(breach.event).toMatchObject({ rule: 'trailing-drawdown', at: TUE('14:25'), action: 'flatten-and-lock', until: null });
    expect(breach.event.kind === 'breach' && breach.event.reason).toBe(
      'equity $51,000.00 reached the intraday trailing drawdown floor of $51,000.00: the account has failed',
    );
    // The warning came once, when $500 or less was left of the $2,000: at $51,000.01.
    const warnings = seen.filter((s) => s.event.kind === 'warning');
    expect(warnings.map((w) => w.equity)).toEqual([usd(51_000) + 1]);
  });

  it('refuses new entries once failed and still lets a position be closed', () => {
    let state = openAccount(r, TUE('14:00'));
    state = recordFill(r, state, { at: TUE('14:01'), root: 'NQ', side: 'buy', quantity: 1, realizedPnlCents: 0, feesCents: 0 }).state;
    state = walk(r, state, [
      [TUE('14:02'), usd(53_000)],
      [TUE('14:03'), usd(50_999)],
    ]).state;
    expect(checkOrder(r, state, { at: TUE('14:04'), root: 'NQ', side: 'buy', quantity: 1 })).toEqual({
      allowed: false,
      rule: 'trailing-drawdown',
      reason:
        'trailing drawdown: equity $50,999.00 reached the intraday trailing drawdown floor of $51,000.00: the account has failed (locked for good; only closing orders pass)',
    });
    expect(checkOrder(r, state, { at: TUE('14:04'), root: 'NQ', side: 'sell', quantity: 1 })).toEqual({ allowed: true });
    // A new day does not lift a failed account.
    const later = advanceClock(r, state, at('2026-03-19T14:00:00Z')).state;
    expect(checkOrder(r, later, { at: at('2026-03-19T14:00:00Z'), root: 'ES', side: 'buy', quantity: 1 }).allowed).toBe(false);
  });

  it('stops trailing at the starting balance, then breaches there (Breakout 2-Step: 8% of $100,000, HWM $105,000 → floor $97,000)', () => {
    const hwm = rules({
      startingBalanceCents: usd(100_000),
      drawdown: { mode: 'intraday', amountCents: usd(8000), trailStopsAtCents: 0, checkedOn: 'equity' },
    });
    const { state, seen } = walk(hwm, openAccount(hwm, TUE('13:00')), [
      [TUE('14:00'), usd(105_000)], // floor 97,000 (the taxonomy's worked example)
      [TUE('14:10'), usd(108_000)], // 108,000 − 8,000 = 100,000: the trail reaches the starting balance
      [TUE('14:20'), usd(112_000)], // would be 104,000, stays 100,000
      [TUE('14:30'), usd(100_000) + 1],
      [TUE('14:40'), usd(100_000)],
    ]);
    expect(state.floorCents).toBe(usd(100_000));
    expect(breaches(seen).map((b) => b.equity)).toEqual([usd(100_000)]);
  });
});

describe('end-of-day trailing drawdown', () => {
  const eod = rules({ drawdown: { mode: 'end-of-day', amountCents: usd(2000), trailStopsAtCents: null, checkedOn: 'equity' } });

  it('ignores intraday peaks: the same path that fails an intraday account survives', () => {
    const { state, seen } = walk(eod, openAccount(eod, TUE('13:30')), [
      [TUE('14:00'), usd(50_000)],
      [TUE('14:10'), usd(53_000)],
      [TUE('14:25'), usd(51_000)],
      [TUE('14:30'), usd(50_000)],
    ]);
    expect(breaches(seen)).toEqual([]);
    expect(state.floorCents).toBe(usd(48_000));
    // Closing the day at $50,000 leaves the floor where it was; closing the next at $51,000 moves it to $49,000 (taxonomy §2).
    const tuesday = closeDay(eod, state, { at: TUE('21:00') });
    expect(tuesday.state.floorCents).toBe(usd(48_000));
    const wednesday = walk(eod, tuesday.state, [[at('2026-03-18T15:00:00Z'), usd(51_000)]], usd(51_000)).state;
    expect(closeDay(eod, wednesday, { at: at('2026-03-18T21:00:00Z') }).state.floorCents).toBe(usd(49_000));
  });

  it('still breaches intraday when equity touches the floor it has', () => {
    const { seen } = walk(eod, openAccount(eod, TUE('13:30')), [
      [TUE('14:00'), usd(48_000) + 1],
      [TUE('14:05'), usd(48_000)],
    ]);
    expect(breaches(seen).map((b) => [b.equity, b.event.at])).toEqual([[usd(48_000), TUE('14:05')]]);
  });

  it("locks at the starting balance (Topstep's Maximum Loss Limit example, $50K with $2,000)", () => {
    const topstep = rules({ drawdown: { mode: 'end-of-day', amountCents: usd(2000), trailStopsAtCents: 0, checkedOn: 'equity' } });
    let state = openAccount(topstep, TUE('13:00'));
    const floors: number[] = [];
    // Day closes: +$500 → $50,500; −$500 → $50,000; +$2,500 → $52,500; then $55,000.
    const closes: [string, number][] = [
      ['2026-03-17', 50_500], // floor 48,500
      ['2026-03-18', 50_000], // stays 48,500
      ['2026-03-19', 52_500], // 50,500, stopped at the starting balance: 50,000
      ['2026-03-20', 55_000], // stays 50,000
    ];
    for (const [date, close] of closes) {
      state = closeDay(topstep, state, { at: at(`${date}T21:00:00Z`), closingBalanceCents: usd(close) }).state;
      floors.push(state.floorCents!);
    }
    expect(floors).toEqual([usd(48_500), usd(48_500), usd(50_000), usd(50_000)]);
    expect(state.days.map((d) => d.pnlCents)).toEqual([usd(500), usd(-500), usd(2500), usd(2500)]);
    const monday = (hhmm: string) => at(`2026-03-23T${hhmm}:00Z`);
    const { seen } = walk(
      topstep,
      state,
      [
        [monday('14:00'), usd(50_000) + 1],
        [monday('14:01'), usd(50_000)],
      ],
      usd(55_000),
    );
    expect(breaches(seen).map((b) => b.equity)).toEqual([usd(50_000)]);
  });

  it('stops at the starting balance + $100 where the firm says so (Tradeify: $52,100 close → $50,100 floor)', () => {
    const tradeify = rules({ drawdown: { mode: 'end-of-day', amountCents: usd(2000), trailStopsAtCents: usd(100), checkedOn: 'equity' } });
    let state = openAccount(tradeify, TUE('13:00'));
    state = closeDay(tradeify, state, { at: TUE('21:00'), closingBalanceCents: usd(52_100) }).state;
    expect(state.floorCents).toBe(usd(50_100));
    state = closeDay(tradeify, state, { at: at('2026-03-18T21:00:00Z'), closingBalanceCents: usd(53_000) }).state;
    expect(state.floorCents).toBe(usd(50_100));
  });

  it('closes a day nobody closed on its last equity when the next day is first seen', () => {
    let state = openAccount(eod, TUE('13:00'));
    state = walk(eod, state, [[TUE('19:00'), usd(51_200)]], usd(51_200)).state;
    const step = observeEquity(eod, state, { at: at('2026-03-18T13:00:00Z'), balanceCents: usd(51_200), openPnlCents: 0 });
    expect(step.events).toContainEqual({
      kind: 'day-closed',
      at: END_OF_TUE,
      date: '2026-03-17',
      pnlCents: usd(1200),
      closingBalanceCents: usd(51_200),
    });
    expect(step.state.floorCents).toBe(usd(49_200));
    expect(step.state).toMatchObject({ date: '2026-03-18', dayStartCents: usd(51_200) });
  });
});

describe('static floors', () => {
  it('never moves (taxonomy §1: $100,000 with 10% fails at $90,000, also after $140,000)', () => {
    const r = rules({
      startingBalanceCents: usd(100_000),
      drawdown: { mode: 'static', amountCents: usd(10_000), trailStopsAtCents: null, checkedOn: 'equity' },
    });
    const { state, seen } = walk(r, openAccount(r, TUE('13:00')), [
      [TUE('14:00'), usd(140_000)],
      [TUE('14:30'), usd(90_000) + 1],
      [TUE('15:00'), usd(90_000)],
    ]);
    expect(state.floorCents).toBe(usd(90_000));
    expect(breaches(seen).map((b) => b.equity)).toEqual([usd(90_000)]);
  });

  it('checked only on closing balances: an end-of-day fixed buffer ignores intraday dips (MyFundedFutures Builder, $2,000 on $50,000)', () => {
    const r = rules({ drawdown: { mode: 'static', amountCents: usd(2000), trailStopsAtCents: null, checkedOn: 'close' } });
    let state = openAccount(r, TUE('13:00'));
    const dip = walk(r, state, [[TUE('14:00'), usd(47_500)]]);
    expect(breaches(dip.seen)).toEqual([]);
    state = closeDay(r, dip.state, { at: TUE('21:00'), closingBalanceCents: usd(48_500) }).state;
    expect(state.locks).toEqual([]);
    const step = closeDay(r, state, { at: at('2026-03-18T21:00:00Z'), closingBalanceCents: usd(47_900) });
    expect(step.events.find((e) => e.kind === 'breach')).toMatchObject({
      rule: 'trailing-drawdown',
      until: null,
      at: at('2026-03-18T21:00:00Z'),
    });
  });
});

describe('daily loss limit', () => {
  const limit = (enforcement: 'soft' | 'hard') => rules({ dailyLoss: { limitCents: usd(1000), enforcement } });

  it.each([
    ['soft', 'no-new-entries'],
    ['hard', 'flatten-and-lock'],
  ] as const)('%s: breaches at -$1,000.00 of the day, until the next trading day', (enforcement, action) => {
    const r = limit(enforcement);
    const { state, seen } = walk(r, openAccount(r, TUE('13:00')), [
      [TUE('14:00'), usd(49_250)], // -$750: $250 left, the 25% warning
      [TUE('14:05'), usd(49_000) + 1], // -$999.99
      [TUE('14:10'), usd(49_000)], // -$1,000.00: breach
      [TUE('14:15'), usd(48_800)], // once a day
    ]);
    expect(seen.filter((s) => s.event.kind === 'warning').map((s) => s.equity)).toEqual([usd(49_250)]);
    expect(breaches(seen).map((b) => b.equity)).toEqual([usd(49_000)]);
    expect(breaches(seen)[0].event).toMatchObject({ rule: 'daily-loss', action, until: END_OF_TUE });
    const refused = checkOrder(r, state, { at: TUE('14:20'), root: 'ES', side: 'buy', quantity: 1 });
    expect(refused).toMatchObject({ allowed: false, rule: 'daily-loss' });
    expect(!refused.allowed && refused.reason).toContain(`until ${new Date(END_OF_TUE).toISOString()}`);
    // The next trading day lifts it and measures from the new day's start.
    const next = observeEquity(r, state, { at: END_OF_TUE, balanceCents: usd(48_800), openPnlCents: 0 });
    expect(next.events.map((e) => e.kind)).toEqual(['day-closed', 'unlocked']);
    expect(next.state).toMatchObject({ locks: [], dayStartCents: usd(48_800) });
    expect(checkOrder(r, next.state, { at: END_OF_TUE + 1, root: 'ES', side: 'buy', quantity: 1 })).toEqual({ allowed: true });
  });

  it('counts the day from the previous close, not from the starting balance', () => {
    const r = limit('hard');
    let state = openAccount(r, TUE('13:00'));
    state = closeDay(r, state, { at: TUE('21:00'), closingBalanceCents: usd(52_000) }).state;
    const { seen } = walk(r, state, [[at('2026-03-18T14:00:00Z'), usd(51_000)]], usd(52_000));
    expect(breaches(seen).map((b) => b.equity)).toEqual([usd(51_000)]);
  });
});

describe('daily profit target', () => {
  it('locks the good day when asked to, otherwise only says so once', () => {
    const locking = rules({ dailyProfitTarget: { targetCents: usd(800), lock: true } });
    const a = walk(locking, openAccount(locking, TUE('13:00')), [
      [TUE('14:00'), usd(50_799)],
      [TUE('14:05'), usd(50_800)],
    ]);
    expect(breaches(a.seen).map((b) => [b.equity, b.event.kind === 'breach' && b.event.action])).toEqual([
      [usd(50_800), 'flatten-and-lock'],
    ]);
    const telling = rules({ dailyProfitTarget: { targetCents: usd(800), lock: false } });
    const b = walk(telling, openAccount(telling, TUE('13:00')), [
      [TUE('14:05'), usd(50_800)],
      [TUE('14:10'), usd(50_900)],
    ]);
    expect(b.seen.map((s) => s.event.kind)).toEqual(['target-reached']);
    expect(checkOrder(telling, b.state, { at: TUE('14:15'), root: 'NQ', side: 'buy', quantity: 1 })).toEqual({ allowed: true });
  });
});

describe('max contracts', () => {
  const r = rules({
    contracts: { max: 5, microsPerMini: 10, microRoots: ['MNQ', 'MES'], perInstrument: { CL: 2 }, scaling: [] },
  });
  const fill = (state: AccountState, root: string, side: 'buy' | 'sell', quantity: number) =>
    recordFill(r, state, { at: TUE('14:00'), root, side, quantity, realizedPnlCents: 0, feesCents: 0 }).state;

  it('counts ten micros as one mini across instruments', () => {
    const state = fill(openAccount(r, TUE('13:00')), 'NQ', 'buy', 3);
    // 3 NQ + 20 MNQ = 3 + 2.0 = 5 contracts: allowed; 21 MNQ = 5.1: refused.
    expect(checkOrder(r, state, { at: TUE('14:01'), root: 'MNQ', side: 'buy', quantity: 20 })).toEqual({ allowed: true });
    expect(checkOrder(r, state, { at: TUE('14:01'), root: 'MNQ', side: 'sell', quantity: 21 })).toEqual({
      allowed: false,
      rule: 'max-contracts',
      reason: 'max contracts: this order would hold 5.1 contracts where the account allows 5 (10 micros count as one mini)',
    });
    const full = fill(state, 'MES', 'sell', 20);
    expect(accountMargins(r, full).find((m) => m.rule === 'max-contracts')).toMatchObject({
      remaining: 0,
      text: '0 contracts free of 5 (0 micros)',
    });
    // Reducing always passes, and a reversal is checked on what it leaves: long 3 NQ and short 20 MES,
    // selling 6 NQ leaves short 3 NQ (3 + 2.0 = 5: allowed), selling 7 short 4 (4 + 2.0 = 6: refused).
    expect(checkOrder(r, full, { at: TUE('14:02'), root: 'NQ', side: 'sell', quantity: 3 })).toEqual({ allowed: true });
    expect(checkOrder(r, full, { at: TUE('14:02'), root: 'NQ', side: 'sell', quantity: 6 })).toEqual({ allowed: true });
    expect(checkOrder(r, full, { at: TUE('14:02'), root: 'NQ', side: 'sell', quantity: 7 })).toMatchObject({
      allowed: false,
      rule: 'max-contracts',
    });
  });

  it('holds a per-instrument limit', () => {
    const state = fill(openAccount(r, TUE('13:00')), 'CL', 'buy', 2);
    expect(checkOrder(r, state, { at: TUE('14:01'), root: 'CL', side: 'buy', quantity: 1 })).toEqual({
      allowed: false,
      rule: 'max-contracts',
      reason: 'max contracts: this order would hold 3 CL where the account allows 2 CL',
    });
  });

  it('scales with the balance the day started with', () => {
    const scaled = rules({
      contracts: {
        max: null,
        microsPerMini: 10,
        microRoots: ['MNQ'],
        perInstrument: {},
        scaling: [
          { fromBalanceCents: 0, max: 2 },
          { fromBalanceCents: usd(51_500), max: 3 },
          { fromBalanceCents: usd(52_000), max: 5 },
        ],
      },
    });
    let state = openAccount(scaled, TUE('13:00'));
    expect(checkOrder(scaled, state, { at: TUE('14:00'), root: 'ES', side: 'buy', quantity: 3 })).toMatchObject({ allowed: false });
    // Intraday profit does not scale up; the next day's starting balance does.
    state = walk(scaled, state, [[TUE('15:00'), usd(51_600)]], usd(51_600)).state;
    expect(checkOrder(scaled, state, { at: TUE('15:01'), root: 'ES', side: 'buy', quantity: 3 })).toMatchObject({ allowed: false });
    state = observeEquity(scaled, state, { at: at('2026-03-18T14:00:00Z'), balanceCents: usd(51_600), openPnlCents: 0 }).state;
    expect(checkOrder(scaled, state, { at: at('2026-03-18T14:01:00Z'), root: 'ES', side: 'buy', quantity: 3 })).toEqual({ allowed: true });
    expect(checkOrder(scaled, state, { at: at('2026-03-18T14:01:00Z'), root: 'ES', side: 'buy', quantity: 4 })).toMatchObject({
      allowed: false,
    });
  });
});

describe('consistency', () => {
  const r = rules({ consistency: { maxDayPercent: 40 } });
  const withDays = (pnls: number[]) => {
    let state = openAccount(r, at('2026-03-09T14:00:00Z'));
    let balance = r.startingBalanceCents;
    pnls.forEach((pnl, i) => {
      balance += usd(pnl);
      state = closeDay(r, state, { at: at(`2026-03-${String(9 + i).padStart(2, '0')}T21:00:00Z`), closingBalanceCents: balance }).state;
    });
    return { state, balance };
  };

  it('tells how much more today can make before it is over 40% of total profit', () => {
    // Days +1,000, +500, +1,500 (O = 3,000): today may make 40%·3,000/60% = 2,000; with +1,200 made, 800 left.
    const { state, balance } = withDays([1000, 500, 1500]);
    const today = walk(r, state, [[at('2026-03-12T14:00:00Z'), balance + usd(1200)]], balance).state;
    expect(accountMargins(r, today).find((m) => m.rule === 'consistency')).toMatchObject({
      remaining: usd(800),
      text: 'today can make $800.00 more before it is over 40% of total profit',
    });
    // At +2,000 today is exactly 40% of 5,000: no room left, not over.
    const atCap = walk(r, state, [[at('2026-03-12T15:00:00Z'), balance + usd(2000)]], balance).state;
    expect(accountMargins(r, atCap).find((m) => m.rule === 'consistency')?.remaining).toBe(0);
  });

  it('says how much more profit a too-large past day needs', () => {
    // Best day 3,000 of total 3,500 (86%): 40% needs a total of 7,500, so 4,000 more.
    const { state } = withDays([3000, 500]);
    expect(accountMargins(r, state).find((m) => m.rule === 'consistency')).toMatchObject({
      remaining: -usd(4000),
      text: 'best day $3,000.00 is over 40% of total profit $3,500.00: $4,000.00 more profit needed',
    });
  });
});

describe('trading hours and the flatten time', () => {
  const r = rules({ hours: { open: '18:00', close: '16:59', flattenAt: '16:55', weekdays: [1, 2, 3, 4, 5] } });

  it('allows entries inside the window and counts the minutes to the flatten time', () => {
    const state = openAccount(r, TUE('14:00'));
    expect(checkOrder(r, state, { at: TUE('14:00'), root: 'NQ', side: 'buy', quantity: 1 })).toEqual({ allowed: true });
    // 10:00 New York to 16:55 is 415 minutes.
    expect(accountMargins(r, state, TUE('14:00')).find((m) => m.rule === 'trading-hours')).toMatchObject({
      remaining: 415,
      unit: 'minutes',
    });
  });

  it('refuses entries from the flatten time until the open, on weekends, and flattens once', () => {
    let state = openAccount(r, TUE('14:00'));
    state = recordFill(r, state, { at: TUE('14:00'), root: 'NQ', side: 'buy', quantity: 1, realizedPnlCents: 0, feesCents: 0 }).state;
    expect(advanceClock(r, state, TUE('20:54')).events).toEqual([]);
    const step = advanceClock(r, state, TUE('20:55')); // 16:55 New York
    expect(step.events).toEqual([
      {
        kind: 'flatten',
        rule: 'trading-hours',
        at: TUE('20:55'),
        reason: 'flatten time: positions must be flat from 16:55 until 18:00 (America/New_York)',
      },
    ]);
    expect(advanceClock(r, step.state, TUE('20:56')).events).toEqual([]);
    expect(checkOrder(r, step.state, { at: TUE('20:56'), root: 'ES', side: 'buy', quantity: 1 })).toEqual({
      allowed: false,
      rule: 'trading-hours',
      reason: 'trading hours: new entries only from 18:00 to 16:55 America/New_York',
    });
    expect(checkOrder(r, step.state, { at: TUE('20:56'), root: 'NQ', side: 'sell', quantity: 1 })).toEqual({ allowed: true });
    // Saturday 10:00 New York counts toward trading date Saturday; Sunday 18:30 already toward Monday.
    expect(checkOrder(r, state, { at: at('2026-03-21T14:00:00Z'), root: 'ES', side: 'buy', quantity: 1 })).toMatchObject({
      allowed: false,
      reason: 'trading hours: 2026-03-21 is a Sat; this account trades Mon, Tue, Wed, Thu, Fri',
    });
    expect(checkOrder(r, state, { at: at('2026-03-22T22:30:00Z'), root: 'ES', side: 'buy', quantity: 1 })).toEqual({ allowed: true });
  });
});

describe('margins', () => {
  it('reads like a trader says them', () => {
    const r = rules({
      profitTargetCents: usd(3000),
      dailyLoss: { limitCents: usd(1000), enforcement: 'soft' },
      drawdown: { mode: 'intraday', amountCents: usd(2000), trailStopsAtCents: 0, checkedOn: 'equity' },
    });
    // Peak 50,400 → floor 48,400; back to 48,812: $412 until the drawdown, $1,188 down today.
    const { state } = walk(r, openAccount(r, TUE('13:00')), [
      [TUE('14:00'), usd(50_400)],
      [TUE('14:10'), usd(48_812)],
    ]);
    expect(accountMargins(r, state).map((m) => m.text)).toEqual([
      '$412.00 until the intraday trailing drawdown (floor $48,400.00)',
      '-$188.00 until the daily loss limit of $1,000.00',
      '$4,188.00 to the profit target',
    ]);
  });
});
