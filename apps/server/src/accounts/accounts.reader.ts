import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThanOrEqual, Not, type Repository } from 'typeorm';
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

/** What other modules may read of the accounts table; the accounts module alone writes it. */
@Injectable()
export class AccountsReader {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly statements: Statements,
  ) {}

  /** Read for every order (its broker, risk limits, halt): a prepared statement, never a stale copy. */
  async byId(id: string): Promise<Account | null> {
    const row = await this.statements.get<Record<string, unknown>>(undefined, ACCOUNT_BY_ID, [id]);
    return row ? ACCOUNT.fromRow(row) : null;
  }

  /** The account of a row that refers to it (an order, a position): it must exist. */
  async byIdOrFail(id: string): Promise<Account> {
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
