import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThanOrEqual, Not, type Repository } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { RowShape } from '../database/rows.js';
import { Statements } from '../database/statements.js';
import { Account } from './account.entity.js';

const ACCOUNT = new RowShape<Account>('accounts', {
  id: 'text',
  name: 'text',
  broker: 'text',
  brokerAccountId: 'text',
  startingBalanceCents: 'bigint',
  settings: 'json',
  secrets: 'text',
  risk: 'json',
  haltedUntil: 'bigint',
  createdAt: 'bigint',
});
const ACCOUNT_BY_ID = ACCOUNT.select('"id" = ?');

/**
 * What other modules may read of the accounts table; the accounts module alone writes it.
 *
 * Each order reads its account twice (its broker, risk limits and halt). With one process (no
 * Redis) every write to the table is this process's AccountsService, which tells `changed` the
 * moment its transaction commits: accounts read by id are then held here, frozen, and a read never
 * returns a copy older than the last commit. With Redis another process may write (a halt), so
 * every read goes to the database.
 */
@Injectable()
export class AccountsReader {
  /** Accounts by id as last read; only with one process. */
  private readonly held: Map<string, Account> | null;
  /** Bumped by every change: a read that began before one is not held. */
  private changes = 0;
  /** Changes under way: until they end, a read may see one uncommitted (SQLite's one connection) and is not held. */
  private writing = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly statements: Statements,
  ) {
    this.held = soleWriter(config) ? new Map() : null;
  }

  /** An account by id, frozen (it may be the copy held here): never older than the last commit that changed it. */
  async byId(id: string): Promise<Readonly<Account> | null> {
    const kept = this.held?.get(id);
    if (kept) return kept;
    const seen = this.changes;
    const quiet = this.writing === 0;
    const row = await this.statements.get<Record<string, unknown>>(undefined, ACCOUNT_BY_ID, [id]);
    if (!row) return null;
    const account = frozen(ACCOUNT.fromRow(row));
    if (this.held && quiet && seen === this.changes) this.held.set(id, account);
    return account;
  }

  /**
   * AccountsService, around every change to the table: `change` runs its transaction and calls
   * `changed` for each account it touched the moment it commits.
   */
  async changing<T>(change: () => Promise<T>): Promise<T> {
    this.writing++;
    try {
      return await change();
    } finally {
      this.writing--;
    }
  }

  /** The account's row changed (call as its transaction commits). */
  changed(id: string): void {
    this.changes++;
    this.held?.delete(id);
  }

  /** The account of a row that refers to it (an order, a position): it must exist. */
  async byIdOrFail(id: string): Promise<Readonly<Account>> {
    const account = await this.byId(id);
    if (!account) throw new Error(`account ${id} is not on record`);
    return account;
  }

  exists(id: string): Promise<boolean> {
    return this.accounts.existsBy({ id });
  }

  all(): Promise<Account[]> {
    return this.accounts.find();
  }

  byBroker(broker: string): Promise<Account[]> {
    return this.accounts.findBy({ broker });
  }

  /** `brokerAccountId` left out: the first account of that broker (the query leaves an undefined condition out). */
  byBrokerAccount(broker: string, brokerAccountId: string | undefined): Promise<Account | null> {
    return this.accounts.findOneBy({ broker, brokerAccountId });
  }

  /** Accounts with limits of their own. */
  withRisk(): Promise<Account[]> {
    return this.accounts.findBy({ risk: Not(IsNull()) });
  }

  /** Accounts whose halt has run out by `now`. */
  haltEndedBy(now: number): Promise<Account[]> {
    return this.accounts.findBy({ haltedUntil: LessThanOrEqual(now) });
  }
}

/** The account with its settings and limits, frozen all the way down: a copy held for every reader cannot be changed by one of them. */
function frozen<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) if (child && typeof child === 'object') frozen(child as object);
  return Object.freeze(value);
}
