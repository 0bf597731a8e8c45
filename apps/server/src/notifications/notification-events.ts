/**
 * What a trader is told about, as the notifications see it: plain data, independent of where it
 * came from (the internal events that carry it are wired in elsewhere). Money in integer cents,
 * instants in epoch milliseconds.
 */

import { NOTIFICATION_KIND_NAMES, type NotificationKindName } from '@tradeloop/contracts';

/** The kinds a channel subscribes to (the list lives in the contracts, where the admin reads it too). */
export const NOTIFICATION_KINDS = NOTIFICATION_KIND_NAMES;

export type NotificationKind = NotificationKindName;

export type Severity = 'info' | 'warning' | 'critical';

export interface FillNotice {
  kind: 'fill';
  at: number;
  account: string;
  strategy: string | null;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  price: number;
  /** Signed position after the fill. */
  positionAfter: number;
  /** Realized P&L this fill booked (a closing fill), net of fees; null when it only opened. */
  realizedPnlCents: number | null;
}

/** An alert that was refused before any order (a rule, a lock, bad input) or whose order failed at the broker. */
export interface AlertProblemNotice {
  kind: 'alert-refused' | 'alert-failed';
  at: number;
  strategy: string | null;
  account: string | null;
  ticker: string | null;
  reason: string;
  /** The alert's event id, to find it in the logs. */
  alertId: string | null;
}

export interface RiskWarningNotice {
  kind: 'risk-warning';
  at: number;
  account: string;
  /** Rule in words: "trailing drawdown". */
  rule: string;
  remainingCents: number;
  /** The margin as a sentence: "$412.00 until the trailing drawdown (floor $48,400.00)". */
  margin: string;
}

export interface BreachNotice {
  kind: 'breach';
  at: number;
  account: string;
  rule: string;
  reason: string;
  action: 'flatten-and-lock' | 'no-new-entries';
  /** When trading is allowed again; null: for good. */
  until: number | null;
}

export interface ConnectionNotice {
  kind: 'connection';
  at: number;
  source: 'feed' | 'broker';
  name: string;
  state: 'disconnected' | 'reconnected';
  reason: string | null;
  /** How long it was down, on reconnect. */
  downForMs: number | null;
}

export interface LoginExpiringNotice {
  kind: 'login-expiring';
  at: number;
  broker: string;
  account: string;
  expiresAt: number;
}

export interface StrategyErroredNotice {
  kind: 'strategy-errored';
  at: number;
  strategy: string;
  error: string;
  /** Whether the strategy was stopped because of it. */
  stopped: boolean;
}

export interface DailySummaryNotice {
  kind: 'daily-summary';
  at: number;
  /** The trading date summed up. */
  date: string;
  realizedPnlCents: number;
  trades: number;
  wins: number;
  losses: number;
  accounts: { name: string; pnlCents: number; trades: number }[];
}

/** The "send test message" button's notice; not a kind to subscribe to. */
export interface TestNotice {
  kind: 'test';
  at: number;
}

export type NotificationEvent =
  | TestNotice
  | FillNotice
  | AlertProblemNotice
  | RiskWarningNotice
  | BreachNotice
  | ConnectionNotice
  | LoginExpiringNotice
  | StrategyErroredNotice
  | DailySummaryNotice;

/** A notification ready for any channel: every string bounded and plain (channels escape as they need). */
export interface NotificationMessage {
  kind: NotificationKind | 'test';
  severity: Severity;
  at: number;
  /** One line: "Filled: BUY 2 NQ1! @ 21,500.25". */
  title: string;
  /** A sentence or two. */
  text: string;
  fields: { name: string; value: string }[];
}
