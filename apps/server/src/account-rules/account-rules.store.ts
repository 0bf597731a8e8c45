import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  accountRulesSchema,
  openAccount,
  toAccountRules,
  type AccountRules,
  type AccountRulesInput,
  type AccountState,
} from '@tradeloop/domain';
import { Repository } from 'typeorm';
import { ProcessNotes } from '../infra/events/process-notes.js';
import { AccountRuleSet } from './account-rule-set.entity.js';

/** One account's rules in force, as the gate and the watcher read them. */
export interface RuleSet {
  accountId: string;
  preset: string | null;
  input: AccountRulesInput;
  rules: AccountRules;
  state: AccountState;
  /**
   * The account's own P&L (realized + open, cents) when the rules were set: the rules count from
   * their starting balance, so equity = startingBalance + (P&L now − this).
   */
  baselineCents: number;
  updatedAt: number;
}

interface StoredState {
  state: AccountState;
  baselineCents: number;
}

/**
 * Owns `account_rule_sets`: every account's rules and rule state, held in memory (the hot path
 * reads them on every order and quote) and written through to the database. State is written when
 * it matters — a lock, a new day, the floor moving — and otherwise at most once a second per account.
 * With several processes, each that writes an account's rules or changes its locks says so to the
 * others (a `ProcessNote`), which read that account's row again: rules set through one api process
 * are enforced by the workers, and a lock a worker sets is seen by every api process's intake.
 */
@Injectable()
export class AccountRulesStore implements OnModuleDestroy {
  private readonly sets = new Map<string, RuleSet>();
  /** The locks last told to other processes, per account. */
  private readonly toldLocks = new Map<string, string>();
  private loading: Promise<void> | null = null;
  private readonly console = new Logger('AccountRules');
  private readonly stopNotes: () => void;

  constructor(
    @InjectRepository(AccountRuleSet) private readonly rows: Repository<AccountRuleSet>,
    private readonly notes: ProcessNotes,
  ) {
    this.stopNotes = notes.subscribe((note, origin) => {
      if (origin === 'remote' && note.kind === 'account-rules') void this.reloadAccount(note.accountId);
    });
  }

  onModuleDestroy(): void {
    this.stopNotes();
  }

  /** Reads every account's rules (once; again after `reload`). */
  ready(): Promise<void> {
    return (this.loading ??= this.load());
  }

  async reload(): Promise<void> {
    this.loading = this.load();
    await this.loading;
  }

  get(accountId: string): RuleSet | undefined {
    return this.sets.get(accountId);
  }

  all(): RuleSet[] {
    return [...this.sets.values()];
  }

  /**
   * Sets an account's rules. Locks in force and closed days stay (changing the rules does not lift
   * a lock); the drawdown starts again from the new rules' starting balance.
   */
  async put(accountId: string, preset: string | null, input: AccountRulesInput, pnlNowCents: number, now = Date.now()): Promise<RuleSet> {
    const rules = toAccountRules(input);
    const state = openAccount(rules, now);
    const carryOver = (from: RuleSet | undefined) => {
      if (!from) return;
      state.locks = from.state.locks;
      state.days = from.state.days;
      state.positions = from.state.positions;
    };
    carryOver(this.sets.get(accountId));
    const written = state.locks;
    const set: RuleSet = { accountId, preset, input, rules, state, baselineCents: pnlNowCents, updatedAt: now };
    await this.rows.save({ accountId, preset, rules: JSON.stringify(input), state: this.stateJson(set), updatedAt: now });
    // The watcher kept judging the rules in force while this was written: a breach it found
    // meanwhile locked them, and the lock carries over as any other (its write may have come first).
    carryOver(this.sets.get(accountId));
    this.sets.set(accountId, set);
    if (state.locks !== written) await this.rows.update({ accountId }, { state: this.stateJson(set), updatedAt: Date.now() });
    this.tell(accountId, set);
    return set;
  }

  async remove(accountId: string): Promise<boolean> {
    const existed = this.sets.delete(accountId);
    await this.rows.delete({ accountId });
    this.tell(accountId, null);
    return existed;
  }

  /** Writes the state as it is now. */
  async saveState(set: RuleSet): Promise<void> {
    if (this.sets.get(set.accountId) !== set) return; // replaced or removed meanwhile
    await this.rows.update({ accountId: set.accountId }, { state: this.stateJson(set), updatedAt: Date.now() });
    if (JSON.stringify(set.state.locks) !== this.toldLocks.get(set.accountId)) this.tell(set.accountId, set);
  }

  /** Another process changed this account's rules or locks: its row is read again. */
  async reloadAccount(accountId: string): Promise<void> {
    const row = await this.rows.findOneBy({ accountId });
    const set = row ? this.fromRow(row) : null;
    if (set) this.sets.set(accountId, set);
    else this.sets.delete(accountId);
    this.toldLocks.set(accountId, JSON.stringify(set?.state.locks ?? []));
  }

  private tell(accountId: string, set: RuleSet | null): void {
    this.toldLocks.set(accountId, JSON.stringify(set?.state.locks ?? []));
    this.notes.publish({ kind: 'account-rules', accountId });
  }

  private stateJson(set: RuleSet): string {
    const stored: StoredState = { state: set.state, baselineCents: set.baselineCents };
    return JSON.stringify(stored);
  }

  private async load(): Promise<void> {
    const next = new Map<string, RuleSet>();
    for (const row of await this.rows.find()) {
      const set = this.fromRow(row);
      if (set) next.set(row.accountId, set);
    }
    this.sets.clear();
    for (const [id, set] of next) {
      this.sets.set(id, set);
      this.toldLocks.set(id, JSON.stringify(set.state.locks));
    }
  }

  /** Checked again: a row written by an older version, or edited by hand, is reported and skipped, not trusted. */
  private fromRow(row: AccountRuleSet): RuleSet | null {
    const parsed = accountRulesSchema.safeParse(JSON.parse(row.rules));
    if (!parsed.success) {
      this.console.error(`account ${row.accountId}: stored rules are not valid and are ignored: ${parsed.error.issues[0]?.message ?? ''}`);
      return null;
    }
    const rules = toAccountRules(parsed.data);
    const stored = row.state ? (JSON.parse(row.state) as StoredState) : null;
    return {
      accountId: row.accountId,
      preset: row.preset,
      input: parsed.data,
      rules,
      state: stored?.state ?? openAccount(rules, Date.now()),
      baselineCents: stored?.baselineCents ?? 0,
      updatedAt: row.updatedAt,
    };
  }
}
