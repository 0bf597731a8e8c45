import type { AccountLockData, AccountMarginData, AccountRuleEventData, AccountRulesData, AccountRulesView } from '@tradeloop/contracts';
import { accountMargins, activeLocks, equityOf, toDollars, type Breach, type Margin, type RuleEvent } from '@tradeloop/domain';
import type { RuleSet } from './account-rules.store.js';

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export function marginData(margin: Margin): AccountMarginData {
  const money = margin.unit === 'cents';
  return {
    rule: margin.rule,
    remaining: money ? toDollars(margin.remaining) : margin.remaining,
    unit: money ? 'dollars' : margin.unit === 'contracts' ? 'contracts' : 'minutes',
    level: margin.levelCents === null ? null : toDollars(margin.levelCents),
    text: margin.text,
  };
}

export function lockData(lock: Breach): AccountLockData {
  return { rule: lock.rule, action: lock.action, reason: lock.reason, at: new Date(lock.at).toISOString(), until: iso(lock.until) };
}

/** A rule event for the wire; `day-closed` is bookkeeping and is not sent. */
export function eventData(event: RuleEvent): AccountRuleEventData | null {
  switch (event.kind) {
    case 'breach':
      return { kind: 'breach', rule: event.rule, text: event.reason, action: event.action, until: iso(event.until), remaining: null };
    case 'warning':
      return {
        kind: 'warning',
        rule: event.rule,
        text: event.reason,
        action: null,
        until: null,
        remaining: toDollars(event.remainingCents),
      };
    case 'flatten':
    case 'target-reached':
    case 'unlocked':
      return { kind: event.kind, rule: event.rule, text: event.reason, action: null, until: null, remaining: null };
    case 'day-closed':
      return null;
  }
}

/** The `/ws` message of an account's rules now. `known`: false while its open P&L is unknown. */
export function rulesData(set: RuleSet, account: string, now: number, known: boolean, event: RuleEvent | null): AccountRulesData {
  return {
    accountId: set.accountId,
    account,
    equity: known ? toDollars(equityOf(set.state)) : null,
    floor: set.state.floorCents === null ? null : toDollars(set.state.floorCents),
    date: set.state.date,
    margins: accountMargins(set.rules, set.state, now).map(marginData),
    locks: activeLocks(set.state, now).map(lockData),
    event: event ? eventData(event) : null,
    time: now,
  };
}

export function rulesView(accountId: string, set: RuleSet | undefined, now = Date.now()): AccountRulesView {
  if (!set) return { accountId, preset: null, rules: null, margins: [], locks: [], high: null, floor: null, date: null, updatedAt: null };
  return {
    accountId,
    preset: set.preset,
    rules: set.input as unknown as Record<string, unknown>,
    margins: accountMargins(set.rules, set.state, now).map(marginData),
    locks: activeLocks(set.state, now).map(lockData),
    high: set.rules.drawdown ? toDollars(set.state.highCents) : null,
    floor: set.state.floorCents === null ? null : toDollars(set.state.floorCents),
    date: set.state.date,
    updatedAt: new Date(set.updatedAt).toISOString(),
  };
}
