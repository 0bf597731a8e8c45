import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThanOrEqual, Not, type Repository } from 'typeorm';
import { Account } from './account.entity.js';

/** What other modules may read of the accounts table; the accounts module alone writes it. */
@Injectable()
export class AccountsReader {
  constructor(@InjectRepository(Account) private readonly accounts: Repository<Account>) {}

  byId(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }

  /** The account of a row that refers to it (an order, a position): it must exist. */
  byIdOrFail(id: string): Promise<Account> {
    return this.accounts.findOneByOrFail({ id });
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
