/**
 * Prop-firm account rules: the limits that end an evaluation or a funded account (daily loss,
 * trailing drawdown, contracts, consistency, hours), followed as the account moves so an order
 * that would break one is refused before it is sent and a breach is acted on at once.
 *
 * Pure and serializable: `AccountState` is plain data (store it as JSON), advanced by
 * `observeEquity` (every quote that moves open P&L), `recordFill` and `closeDay`; each step returns
 * the new state and the events it caused (a breach to act on, a warning to send). `checkOrder`
 * and `accountMargins` (account-rules-orders.ts) read it. Money is integer cents.
 *
 * The trading day is the account's (e.g. 18:00 America/New_York): a day that passes without an
 * explicit `closeDay` is closed on its last known equity when the next one is first seen.
 */
import { formatMoney } from './money.js';
import { insideMinutes, minutesInZone, parseDayStart, TradingCalendar, weekdayOf } from './trading-day.js';

export type RuleName =
  'trailing-drawdown' | 'daily-loss' | 'daily-profit-target' | 'max-contracts' | 'consistency' | 'trading-hours' | 'profit-target';

/**
 * How the drawdown floor follows the account:
 * - `static`: fixed at the starting balance minus the amount;
 * - `intraday`: trails the highest equity seen, open P&L included, tick by tick;
 * - `end-of-day`: trails the highest closing balance, moving only when a day closes.
 */
export type DrawdownMode = 'static' | 'intraday' | 'end-of-day';

export interface DrawdownRule {
  mode: DrawdownMode;
  /** Distance from the high to the floor. */
  amountCents: number;
  /**
   * The floor stops rising once it reaches the starting balance plus this (0: the starting
   * balance itself; 10000: starting balance + $100). Null: it trails for good.
   */
  trailStopsAtCents: number | null;
  /**
   * `equity`: breached the moment equity touches the floor (how futures firms enforce it, even
   * for an end-of-day trail); `close`: only a closing balance at or below the floor breaches.
   */
  checkedOn: 'equity' | 'close';
}

export interface DailyLossRule {
  /** Today's P&L (open P&L included) at or below minus this is a breach. */
  limitCents: number;
  /** `soft`: no new entries for the rest of the day; `hard`: flatten and lock until the next trading day. */
  enforcement: 'soft' | 'hard';
}

export interface DailyProfitTargetRule {
  targetCents: number;
  /** Flatten and lock until the next trading day once reached (keep the good day); otherwise only say so. */
  lock: boolean;
}

export interface ContractRule {
  /** Most contracts held at once across all instruments, counted in minis. Null: no total limit. */
  max: number | null;
  /** How many micros count as one mini (10: one NQ = ten MNQ). */
  microsPerMini: number;
  /** Roots that are micros (MNQ, MES …). */
  microRoots: string[];
  /** Most contracts of one root held at once (`{ CL: 3 }`). */
  perInstrument: Record<string, number>;
  /** From each balance on (the balance the day started with), this many contracts; overrides `max`. Ascending. */
  scaling: { fromBalanceCents: number; max: number }[];
}

export interface ConsistencyRule {
  /** No single day may be more than this percent of the total profit. */
  maxDayPercent: number;
}

export interface TradingHoursRule {
  /** New entries from `open` until `flattenAt` (or `close`), in the account's zone; the window may span midnight. */
  open: string;
  close: string;
  /** Positions are flattened from here until `open`; entries stop here too. */
  flattenAt: string | null;
  /** Weekdays of the trading date that trade, 0 = Sunday … 6 = Saturday. */
  weekdays: number[];
}

export interface AccountRules {
  startingBalanceCents: number;
  /** Zone of the trading day and of the hours. */
  timeZone: string;
  /** When a trading day begins, `HH:MM` (18:00: Sunday 18:00 to Monday 18:00 is Monday). */
  dayStart: string;
  /** The evaluation's profit target, shown as a margin; reaching it is reported, not enforced. */
  profitTargetCents: number | null;
  dailyLoss: DailyLossRule | null;
  dailyProfitTarget: DailyProfitTargetRule | null;
  drawdown: DrawdownRule | null;
  contracts: ContractRule | null;
  consistency: ConsistencyRule | null;
  hours: TradingHoursRule | null;
  /** Warn once a day when a margin falls to this percent of its full room (25: $500 left of a $2,000 drawdown). */
  warnAtPercent: number;
}

/** What a breach asks for. */
export type RuleAction = 'flatten-and-lock' | 'no-new-entries';

/** A broken rule: which, when, what to do, and until when (null: for good — the account has failed). */
export interface Breach {
  rule: RuleName;
  at: number;
  action: RuleAction;
  reason: string;
  until: number | null;
}

export interface AccountState {
  /** Latest instant seen. */
  at: number;
  /** Trading date being traded. */
  date: string;
  /** Realized balance. */
  balanceCents: number;
  openPnlCents: number;
  /** Equity the day began with (the previous close). */
  dayStartCents: number;
  /** The day's closing balance once `closeDay` ran; null while the day is open. */
  closingCents: number | null;
  /** The high the floor trails: highest equity (intraday), highest close (end of day). */
  highCents: number;
  floorCents: number | null;
  /** Signed contracts held, by root. */
  positions: Record<string, number>;
  /** Closed days and their P&L, oldest first. */
  days: { date: string; pnlCents: number }[];
  /** Breaches still in force. */
  locks: Breach[];
  /** Warnings and notices already given today, so each is said once a day. */
  said: string[];
  flattenedToday: boolean;
  profitTargetReached: boolean;
}

export type RuleEvent =
  | ({ kind: 'breach' } & Breach)
  | { kind: 'flatten'; rule: 'trading-hours'; at: number; reason: string }
  | { kind: 'warning'; rule: RuleName; at: number; remainingCents: number; reason: string }
  | { kind: 'target-reached'; rule: 'daily-profit-target' | 'profit-target'; at: number; reason: string }
  | { kind: 'unlocked'; rule: RuleName; at: number; reason: string }
  | { kind: 'day-closed'; at: number; date: string; pnlCents: number; closingBalanceCents: number };

export interface Step {
  state: AccountState;
  events: RuleEvent[];
}

export interface EquityUpdate {
  at: number;
  balanceCents: number;
  openPnlCents: number;
}

export interface RuleFill {
  at: number;
  /** Instrument root: NQ, MNQ, ES … */
  root: string;
  side: 'buy' | 'sell';
  quantity: number;
  /** Realized P&L this fill booked, before fees. */
  realizedPnlCents: number;
  feesCents: number;
}

const calendars = new WeakMap<AccountRules, TradingCalendar>();

export function calendarOf(rules: AccountRules): TradingCalendar {
  let calendar = calendars.get(rules);
  if (!calendar) {
    calendar = TradingCalendar.of(rules.timeZone, rules.dayStart);
    calendars.set(rules, calendar);
  }
  return calendar;
}

export const equityOf = (state: AccountState): number => state.balanceCents + state.openPnlCents;

/** The level the floor never rises past, or null when it trails for good. */
export function trailStopLevel(rules: AccountRules): number | null {
  const stop = rules.drawdown?.trailStopsAtCents;
  return stop === null || stop === undefined ? null : rules.startingBalanceCents + stop;
}

/** A fresh account at its starting balance. */
export function openAccount(rules: AccountRules, at: number): AccountState {
  const start = rules.startingBalanceCents;
  return {
    at,
    date: calendarOf(rules).dateOf(at),
    balanceCents: start,
    openPnlCents: 0,
    dayStartCents: start,
    closingCents: null,
    highCents: start,
    floorCents: rules.drawdown ? start - rules.drawdown.amountCents : null,
    positions: {},
    days: [],
    locks: [],
    said: [],
    flattenedToday: false,
    profitTargetReached: false,
  };
}

/** Equity or balance moved (a quote, a fee, a broker's balance): the live rules are checked against it. */
export function observeEquity(rules: AccountRules, state: AccountState, update: EquityUpdate): Step {
  const step = advanceClock(rules, state, update.at);
  const s = { ...step.state, balanceCents: update.balanceCents, openPnlCents: update.openPnlCents };
  evaluate(rules, s, update.at, step.events);
  return { state: s, events: step.events };
}

/** A fill: the position it leaves (for contract limits) and the realized P&L it books. */
export function recordFill(rules: AccountRules, state: AccountState, fill: RuleFill): Step {
  const step = advanceClock(rules, state, fill.at);
  const root = fill.root.trim().toUpperCase();
  const positions = { ...step.state.positions };
  const after = (positions[root] ?? 0) + (fill.side === 'buy' ? fill.quantity : -fill.quantity);
  if (after === 0) delete positions[root];
  else positions[root] = after;
  const s = { ...step.state, positions, balanceCents: step.state.balanceCents + fill.realizedPnlCents - fill.feesCents };
  evaluate(rules, s, fill.at, step.events);
  return { state: s, events: step.events };
}

/**
 * The session closed: the day's P&L is recorded and an end-of-day trail moves. `closingBalanceCents`
 * is the balance the firm closes the day on; the latest equity when absent. A day is closed once.
 */
export function closeDay(rules: AccountRules, state: AccountState, close: { at: number; closingBalanceCents?: number }): Step {
  const step = advanceClock(rules, state, close.at);
  if (step.state.closingCents !== null) return step;
  const s = { ...step.state };
  // The firm's closing figure is the account's equity from here on.
  if (close.closingBalanceCents !== undefined) s.balanceCents = close.closingBalanceCents - s.openPnlCents;
  closeCurrentDay(rules, s, equityOf(s), close.at, step.events);
  return { state: s, events: step.events };
}

/**
 * Time passed: a new trading day (closing the last one if nobody did), locks that expire, the
 * flatten time. Call it on a timer too, so the flatten time comes without a quote.
 */
export function advanceClock(rules: AccountRules, state: AccountState, at: number): Step {
  const events: RuleEvent[] = [];
  const calendar = calendarOf(rules);
  let s: AccountState = { ...state, at: Math.max(state.at, at) };
  const date = calendar.dateOf(s.at);
  if (date > s.date) {
    if (s.closingCents === null) closeCurrentDay(rules, s, equityOf(s), calendar.endOf(s.date), events);
    s = { ...s, date, dayStartCents: s.closingCents ?? equityOf(s), closingCents: null, said: [], flattenedToday: false };
  }
  if (s.locks.some((lock) => lock.until !== null && lock.until <= s.at)) {
    for (const lock of s.locks) {
      if (lock.until !== null && lock.until <= s.at) {
        events.push({
          kind: 'unlocked',
          rule: lock.rule,
          at: lock.until,
          reason: `${RULE_LABELS[lock.rule]}: a new trading day, trading allowed again`,
        });
      }
    }
    s.locks = s.locks.filter((lock) => lock.until === null || lock.until > s.at);
  }
  const hours = rules.hours;
  if (hours && !s.flattenedToday && Object.keys(s.positions).length > 0 && mustBeFlat(rules, hours, s.at)) {
    s.flattenedToday = true;
    events.push({
      kind: 'flatten',
      rule: 'trading-hours',
      at,
      reason: `flatten time: positions must be flat from ${hours.flattenAt ?? hours.close} until ${hours.open} (${rules.timeZone})`,
    });
  }
  return { state: s, events };
}

export const RULE_LABELS: Record<RuleName, string> = {
  'trailing-drawdown': 'trailing drawdown',
  'daily-loss': 'daily loss limit',
  'daily-profit-target': 'daily profit target',
  'max-contracts': 'max contracts',
  consistency: 'consistency rule',
  'trading-hours': 'trading hours',
  'profit-target': 'profit target',
};

export function drawdownLabel(rule: DrawdownRule): string {
  return rule.mode === 'static' ? 'drawdown' : rule.mode === 'intraday' ? 'intraday trailing drawdown' : 'end-of-day trailing drawdown';
}

/** The account has failed: a breach with no end. */
export const hasFailed = (state: AccountState): boolean => state.locks.some((lock) => lock.until === null);

function mustBeFlat(rules: AccountRules, hours: TradingHoursRule, at: number): boolean {
  if (!hours.weekdays.includes(weekdayOf(calendarOf(rules).dateOf(at)))) return true;
  return insideMinutes(minutesInZone(at, rules.timeZone), parseDayStart(hours.flattenAt ?? hours.close), parseDayStart(hours.open));
}

function trailedFloor(rules: AccountRules, high: number, floor: number): number {
  const stop = trailStopLevel(rules);
  const trailed = high - rules.drawdown!.amountCents;
  return Math.max(floor, stop === null ? trailed : Math.min(trailed, stop));
}

function addLock(s: AccountState, events: RuleEvent[], breach: Breach): void {
  s.locks = [...s.locks, breach];
  events.push({ kind: 'breach', ...breach });
}

const hasLock = (s: AccountState, rule: RuleName) => s.locks.some((lock) => lock.rule === rule);

function sayOnce(s: AccountState, key: string): boolean {
  if (s.said.includes(key)) return false;
  s.said = [...s.said, key];
  return true;
}

function closeCurrentDay(rules: AccountRules, s: AccountState, closing: number, at: number, events: RuleEvent[]): void {
  const pnlCents = closing - s.dayStartCents;
  s.days = [...s.days, { date: s.date, pnlCents }];
  s.closingCents = closing;
  events.push({ kind: 'day-closed', at, date: s.date, pnlCents, closingBalanceCents: closing });
  const rule = rules.drawdown;
  if (!rule || s.floorCents === null || hasFailed(s)) return;
  if (rule.checkedOn === 'close' && closing <= s.floorCents) {
    addLock(s, events, {
      rule: 'trailing-drawdown',
      at,
      action: 'flatten-and-lock',
      until: null,
      reason: `the day closed at ${formatMoney(closing)}, at or below the ${drawdownLabel(rule)} floor of ${formatMoney(s.floorCents)}: the account has failed`,
    });
    return;
  }
  if (rule.mode === 'end-of-day' && closing > s.highCents) {
    s.highCents = closing;
    s.floorCents = trailedFloor(rules, closing, s.floorCents);
  }
}

/** The live rules, on a state that is this step's own copy. */
function evaluate(rules: AccountRules, s: AccountState, at: number, events: RuleEvent[]): void {
  if (hasFailed(s)) return;
  const equity = equityOf(s);
  const rule = rules.drawdown;
  if (rule && s.floorCents !== null) {
    if (rule.mode === 'intraday' && equity > s.highCents) {
      s.highCents = equity;
      s.floorCents = trailedFloor(rules, equity, s.floorCents);
    }
    if (rule.checkedOn === 'equity' && equity <= s.floorCents) {
      addLock(s, events, {
        rule: 'trailing-drawdown',
        at,
        action: 'flatten-and-lock',
        until: null,
        reason: `equity ${formatMoney(equity)} reached the ${drawdownLabel(rule)} floor of ${formatMoney(s.floorCents)}: the account has failed`,
      });
      return;
    }
  }
  const endOfDay = calendarOf(rules).endOf(s.date);
  const dayPnl = equity - s.dayStartCents;
  const loss = rules.dailyLoss;
  if (loss && dayPnl <= -loss.limitCents && !hasLock(s, 'daily-loss')) {
    const hard = loss.enforcement === 'hard';
    addLock(s, events, {
      rule: 'daily-loss',
      at,
      action: hard ? 'flatten-and-lock' : 'no-new-entries',
      until: endOfDay,
      reason: `today's P&L ${formatMoney(dayPnl)} reached the daily loss limit of ${formatMoney(loss.limitCents)}: ${hard ? 'flatten and lock' : 'no new entries'} until the next trading day`,
    });
  }
  const target = rules.dailyProfitTarget;
  if (target && dayPnl >= target.targetCents) {
    const reason = `today's P&L ${formatMoney(dayPnl)} reached the daily profit target of ${formatMoney(target.targetCents)}`;
    if (target.lock && !hasLock(s, 'daily-profit-target')) {
      addLock(s, events, {
        rule: 'daily-profit-target',
        at,
        action: 'flatten-and-lock',
        until: endOfDay,
        reason: `${reason}: flatten and lock until the next trading day`,
      });
    } else if (!target.lock && sayOnce(s, 'daily-profit-target')) {
      events.push({ kind: 'target-reached', rule: 'daily-profit-target', at, reason });
    }
  }
  const profitTarget = rules.profitTargetCents;
  if (profitTarget !== null && !s.profitTargetReached && equity - rules.startingBalanceCents >= profitTarget) {
    s.profitTargetReached = true;
    events.push({
      kind: 'target-reached',
      rule: 'profit-target',
      at,
      reason: `profit ${formatMoney(equity - rules.startingBalanceCents)} reached the profit target of ${formatMoney(profitTarget)}`,
    });
  }
  warn(rules, s, at, equity, dayPnl, events);
}

function warn(rules: AccountRules, s: AccountState, at: number, equity: number, dayPnl: number, events: RuleEvent[]): void {
  const near = (remaining: number, full: number) => remaining > 0 && remaining * 100 <= full * rules.warnAtPercent;
  const rule = rules.drawdown;
  if (rule && s.floorCents !== null) {
    const remaining = equity - s.floorCents;
    if (near(remaining, rule.amountCents) && sayOnce(s, 'trailing-drawdown')) {
      events.push({
        kind: 'warning',
        rule: 'trailing-drawdown',
        at,
        remainingCents: remaining,
        reason: `${formatMoney(remaining)} until the ${drawdownLabel(rule)} (floor ${formatMoney(s.floorCents)})`,
      });
    }
  }
  const loss = rules.dailyLoss;
  if (loss && !hasLock(s, 'daily-loss')) {
    const remaining = loss.limitCents + dayPnl;
    if (near(remaining, loss.limitCents) && sayOnce(s, 'daily-loss')) {
      events.push({
        kind: 'warning',
        rule: 'daily-loss',
        at,
        remainingCents: remaining,
        reason: `${formatMoney(remaining)} until the daily loss limit of ${formatMoney(loss.limitCents)}`,
      });
    }
  }
}
