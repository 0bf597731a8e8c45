/**
 * Reading an account's rules: whether a proposed order may go (before it reaches a broker) and
 * the live margins a trader watches ("$412.00 until the trailing drawdown").
 *
 * An order that only brings a position toward flat always passes, locked or not: a rule never
 * keeps a trader in a trade.
 */
import {
  calendarOf,
  drawdownLabel,
  equityOf,
  RULE_LABELS,
  type AccountRules,
  type AccountState,
  type Breach,
  type ContractRule,
  type RuleName,
} from './account-rules.js';
import { increasesExposure } from './execution-controls.js';
import { formatMoney } from './money.js';
import { insideMinutes, minutesInZone, parseDayStart, weekdayOf } from './trading-day.js';

export interface ProposedOrder {
  at: number;
  /** Instrument root: NQ, MNQ … */
  root: string;
  side: 'buy' | 'sell';
  quantity: number;
}

export type OrderAnswer = { allowed: true } | { allowed: false; rule: RuleName; reason: string };

export interface Margin {
  rule: RuleName;
  /** Room left, in `unit`s; 0 or less: at or past the limit. */
  remaining: number;
  unit: 'cents' | 'contracts' | 'minutes';
  /** The level the margin is measured to (the drawdown floor), when there is one. */
  levelCents: number | null;
  text: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const SEVERITY = (lock: Breach) => (lock.until === null ? 0 : lock.action === 'flatten-and-lock' ? 1 : 2);

/** Locks in force at `at`: most severe first. */
export function activeLocks(state: AccountState, at: number): Breach[] {
  return state.locks.filter((lock) => lock.until === null || lock.until > at).sort((a, b) => SEVERITY(a) - SEVERITY(b));
}

/** Whether the account's rules let this order go, and if not, which rule and why, in words. */
export function checkOrder(rules: AccountRules, state: AccountState, order: ProposedOrder): OrderAnswer {
  const root = order.root.trim().toUpperCase();
  const current = state.positions[root] ?? 0;
  if (!increasesExposure(current, order.side, order.quantity)) return { allowed: true };
  const lock = activeLocks(state, order.at)[0];
  if (lock) {
    const until = lock.until === null ? 'for good' : `until ${new Date(lock.until).toISOString()}`;
    return {
      allowed: false,
      rule: lock.rule,
      reason: `${RULE_LABELS[lock.rule]}: ${lock.reason} (locked ${until}; only closing orders pass)`,
    };
  }
  const hours = hoursProblem(rules, order.at);
  if (hours) return { allowed: false, rule: 'trading-hours', reason: hours };
  const after = current + (order.side === 'buy' ? order.quantity : -order.quantity);
  const contracts = rules.contracts ? contractProblem(rules.contracts, maxContracts(rules, state), state.positions, root, after) : null;
  if (contracts) return { allowed: false, rule: 'max-contracts', reason: contracts };
  return { allowed: true };
}

function hoursProblem(rules: AccountRules, at: number): string | null {
  const hours = rules.hours;
  if (!hours) return null;
  const date = calendarOf(rules).dateOf(at);
  if (!hours.weekdays.includes(weekdayOf(date))) {
    return `trading hours: ${date} is a ${WEEKDAYS[weekdayOf(date)]}; this account trades ${hours.weekdays.map((d) => WEEKDAYS[d]).join(', ')}`;
  }
  const end = hours.flattenAt ?? hours.close;
  if (!insideMinutes(minutesInZone(at, rules.timeZone), parseDayStart(hours.open), parseDayStart(end))) {
    return `trading hours: new entries only from ${hours.open} to ${end} ${rules.timeZone}`;
  }
  return null;
}

/** The total contract limit in force: the scaling step for the balance the day started with, else `max`. */
export function maxContracts(rules: AccountRules, state: AccountState): number | null {
  const c = rules.contracts;
  if (!c) return null;
  let max = c.max;
  for (const step of c.scaling) if (state.dayStartCents >= step.fromBalanceCents) max = step.max;
  return max;
}

/** Contracts held, in micros: a micro counts 1, anything else `microsPerMini`. */
export function heldMicros(rule: ContractRule, positions: Record<string, number>): number {
  let units = 0;
  for (const [root, quantity] of Object.entries(positions))
    units += Math.abs(quantity) * (rule.microRoots.includes(root) ? 1 : rule.microsPerMini);
  return units;
}

const asContracts = (micros: number, ratio: number) => `${Number((micros / ratio).toFixed(4))} contract${micros === ratio ? '' : 's'}`;

function contractProblem(
  rule: ContractRule,
  max: number | null,
  positions: Record<string, number>,
  root: string,
  after: number,
): string | null {
  const perInstrument = rule.perInstrument[root];
  if (perInstrument !== undefined && Math.abs(after) > perInstrument) {
    return `max contracts: this order would hold ${Math.abs(after)} ${root} where the account allows ${perInstrument} ${root}`;
  }
  if (max === null) return null;
  const held = heldMicros(rule, { ...positions, [root]: after });
  if (held > max * rule.microsPerMini) {
    return `max contracts: this order would hold ${asContracts(held, rule.microsPerMini)} where the account allows ${max} (${rule.microsPerMini} micros count as one mini)`;
  }
  return null;
}

/**
 * How much more today can make before it is more than `percent` of total profit: with the other
 * days summing to O, today T passes while T ≤ percent·(O + T), i.e. T ≤ percent·O / (100 − percent).
 */
export function consistencyRoom(percent: number, otherDaysCents: number, todayCents: number): number {
  return Math.floor((percent * otherDaysCents) / (100 - percent)) - todayCents;
}

/** Every rule's room left, in the order a trader reads them. */
export function accountMargins(rules: AccountRules, state: AccountState, at = state.at): Margin[] {
  const margins: Margin[] = [];
  const equity = equityOf(state);
  const dayPnl = equity - state.dayStartCents;
  const dd = rules.drawdown;
  if (dd && state.floorCents !== null) {
    const remaining = equity - state.floorCents;
    margins.push({
      rule: 'trailing-drawdown',
      remaining,
      unit: 'cents',
      levelCents: state.floorCents,
      text: `${formatMoney(remaining)} until the ${drawdownLabel(dd)} (floor ${formatMoney(state.floorCents)})`,
    });
  }
  if (rules.dailyLoss) {
    const remaining = rules.dailyLoss.limitCents + dayPnl;
    margins.push({
      rule: 'daily-loss',
      remaining,
      unit: 'cents',
      levelCents: state.dayStartCents - rules.dailyLoss.limitCents,
      text: `${formatMoney(remaining)} until the daily loss limit of ${formatMoney(rules.dailyLoss.limitCents)}`,
    });
  }
  if (rules.dailyProfitTarget) {
    const remaining = rules.dailyProfitTarget.targetCents - dayPnl;
    margins.push({
      rule: 'daily-profit-target',
      remaining,
      unit: 'cents',
      levelCents: state.dayStartCents + rules.dailyProfitTarget.targetCents,
      text: remaining > 0 ? `${formatMoney(remaining)} to the daily profit target` : 'daily profit target reached',
    });
  }
  if (rules.profitTargetCents !== null) {
    const remaining = rules.profitTargetCents - (equity - rules.startingBalanceCents);
    margins.push({
      rule: 'profit-target',
      remaining,
      unit: 'cents',
      levelCents: rules.startingBalanceCents + rules.profitTargetCents,
      text: remaining > 0 ? `${formatMoney(remaining)} to the profit target` : 'profit target reached',
    });
  }
  if (rules.consistency) margins.push(consistencyMargin(rules.consistency.maxDayPercent, state, dayPnl));
  if (rules.contracts) {
    const max = maxContracts(rules, state);
    if (max !== null) {
      const ratio = rules.contracts.microsPerMini;
      const free = max * ratio - heldMicros(rules.contracts, state.positions);
      margins.push({
        rule: 'max-contracts',
        remaining: free / ratio,
        unit: 'contracts',
        levelCents: null,
        text: `${asContracts(free, ratio)} free of ${max} (${free} micros)`,
      });
    }
  }
  if (rules.hours) {
    const end = rules.hours.flattenAt ?? rules.hours.close;
    const now = minutesInZone(at, rules.timeZone);
    const inside =
      insideMinutes(now, parseDayStart(rules.hours.open), parseDayStart(end)) &&
      rules.hours.weekdays.includes(weekdayOf(calendarOf(rules).dateOf(at)));
    const remaining = inside ? (parseDayStart(end) - now + 1440) % 1440 : 0;
    margins.push({
      rule: 'trading-hours',
      remaining,
      unit: 'minutes',
      levelCents: null,
      text: inside
        ? `${remaining} minutes until ${end} (${rules.hours.flattenAt ? 'flatten time' : 'close'})`
        : `outside trading hours: entries from ${rules.hours.open}`,
    });
  }
  return margins;
}

function consistencyMargin(percent: number, state: AccountState, livePnl: number): Margin {
  // Once today is closed it is one of the days, and nothing is left to make today.
  const todayClosed = state.closingCents !== null;
  const todayCents = todayClosed ? 0 : livePnl;
  const closed = todayClosed ? state.days : state.days.filter((day) => day.date !== state.date);
  const others = closed.reduce((sum, day) => sum + day.pnlCents, 0);
  const total = others + todayCents;
  const bestPast = closed.reduce((best, day) => Math.max(best, day.pnlCents), 0);
  // A past day already too large: only more total profit fixes it.
  if (bestPast * 100 > percent * total) {
    const needed = Math.ceil((bestPast * 100) / percent) - total;
    return {
      rule: 'consistency',
      remaining: -needed,
      unit: 'cents',
      levelCents: null,
      text: `best day ${formatMoney(bestPast)} is over ${percent}% of total profit ${formatMoney(total)}: ${formatMoney(needed)} more profit needed`,
    };
  }
  const remaining = consistencyRoom(percent, others, todayCents);
  return {
    rule: 'consistency',
    remaining,
    unit: 'cents',
    levelCents: null,
    text:
      remaining >= 0
        ? `today can make ${formatMoney(remaining)} more before it is over ${percent}% of total profit`
        : `today is ${formatMoney(-remaining)} over ${percent}% of total profit`,
  };
}
