/**
 * Prop-firm account rules on the wire: the `/ws` `ACCOUNT_RULES` message (live margins, locks)
 * and the REST views of an account's rules and the firm presets. Money in dollars, as every REST
 * answer; the server computes in cents.
 */

/** A rule by name, as the domain library names it. */
export type AccountRuleName =
  'trailing-drawdown' | 'daily-loss' | 'daily-profit-target' | 'max-contracts' | 'consistency' | 'trading-hours' | 'profit-target';

/** One rule's room left: "$412.00 until the intraday trailing drawdown (floor $48,400.00)". */
export interface AccountMarginData {
  rule: AccountRuleName;
  /** Room left in `unit`s (dollars for `cents` margins, as every wire amount); 0 or less: at or past the limit. */
  remaining: number;
  unit: 'dollars' | 'contracts' | 'minutes';
  /** The level the margin is measured to (the drawdown floor), in dollars, when there is one. */
  level: number | null;
  text: string;
}

/** A rule that is broken and still in force. */
export interface AccountLockData {
  rule: AccountRuleName;
  action: 'flatten-and-lock' | 'no-new-entries';
  reason: string;
  /** ISO 8601; when it began. */
  at: string;
  /** ISO 8601; null: for good (the account has failed). */
  until: string | null;
}

/** A rule event as it happened: the reason in words, and for a breach what was done and until when. */
export interface AccountRuleEventData {
  kind: 'breach' | 'warning' | 'unlocked' | 'flatten' | 'target-reached';
  rule: AccountRuleName;
  text: string;
  /** A breach's action. */
  action: 'flatten-and-lock' | 'no-new-entries' | null;
  /** A breach's end (ISO 8601); null: for good, or not a breach. */
  until: string | null;
  /** A warning's room left, in dollars. */
  remaining: number | null;
}

/**
 * `{"type":"ACCOUNT_RULES","data":{...}}`: an account's margins and locks, at most a few times a
 * second per account while its equity moves, and at once on a breach, a warning or a new day.
 */
export interface AccountRulesData {
  accountId: string;
  account: string;
  /** Dollars; null while open P&L is unknown (a held ticker without a quote). */
  equity: number | null;
  /** The trailing drawdown floor in dollars, when the account has one. */
  floor: number | null;
  /** The trading date the margins are for. */
  date: string;
  margins: AccountMarginData[];
  locks: AccountLockData[];
  /** What just happened, when this message reports it (a breach, a warning, an unlock). */
  event: AccountRuleEventData | null;
  time: number;
}

/** `GET /api/account-rules/presets`: one firm plan from `config/prop-firms/`. */
export interface AccountRulePresetView {
  /** The file name without `.yaml`: what `PUT …/rules` takes as `preset`. */
  id: string;
  firm: string;
  plan: string;
  /** When its figures were last checked (YYYY-MM-DD). */
  asOf: string;
  sources: { title: string; url: string; publisher: string; read: string }[];
  unverified: string[];
  notes: string[];
  /** The rules as a trader writes them (dollars): copy and edit. */
  rules: Record<string, unknown>;
}

/** `GET /api/accounts/:id/rules`: the rules in force, their live margins and locks. */
export interface AccountRulesView {
  accountId: string;
  /** The preset they were copied from, if any. */
  preset: string | null;
  /** The rules as written (dollars); null: the account has none. */
  rules: Record<string, unknown> | null;
  margins: AccountMarginData[];
  locks: AccountLockData[];
  /** The drawdown's high and floor, in dollars, kept across restarts. */
  high: number | null;
  floor: number | null;
  date: string | null;
  updatedAt: string | null;
}

/**
 * `PUT /api/accounts/:id/rules`: a preset by id, rules written out, or both (the rules then
 * override the preset's, key by key at the top level).
 */
export interface AccountRulesInput {
  preset?: string;
  rules?: Record<string, unknown>;
}
