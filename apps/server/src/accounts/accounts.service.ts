import { Inject, Injectable, NotFoundException, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { toCents, toDollars } from '@tradeloop/domain';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { iso } from '../common/money.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { livePnlView, PnlLiveService } from '../pnl/pnl-live.service.js';
import { Account } from './account.entity.js';

export const PAPER_BROKER = 'paper-broker';

@Injectable()
export class AccountsService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly database: DatabaseService,
    private readonly pnl: PnlLiveService,
  ) {}

  /** First start: a paper account so a webhook can trade out of the box. */
  async onModuleInit(): Promise<void> {
    if ((await this.accounts.count()) > 0) return;
    await this.database.transaction((m) =>
      m.insert(Account, {
        id: randomUUID(),
        name: 'Paper',
        broker: PAPER_BROKER,
        brokerAccountId: 'paper-1',
        startingBalanceCents: toCents(this.config.accounts.paperStartingBalance),
        createdAt: Date.now(),
      }),
    );
  }

  async get(id: string): Promise<Account> {
    const account = await this.accounts.findOneBy({ id });
    if (!account) throw new NotFoundException(`account ${id} not found`);
    return account;
  }

  /** The default account for new strategies: the oldest one. */
  async defaultAccount(): Promise<Account> {
    const [account] = await this.accounts.find({ order: { createdAt: 'ASC' }, take: 1 });
    if (!account) throw new NotFoundException('no account exists');
    return account;
  }

  /** Accounts with balance, equity (balance + open P&L) and live P&L; manual trades count toward their account. */
  async list() {
    const accounts = await this.accounts.find({ order: { createdAt: 'ASC' } });
    const live = await this.pnl.of('account');
    return accounts.map((a) => {
      const pnl = live.get(a.id);
      return {
        id: a.id,
        name: a.name,
        broker: a.broker,
        brokerAccountId: a.brokerAccountId,
        startingBalance: toDollars(a.startingBalanceCents),
        balance: toDollars(a.startingBalanceCents + pnl.realizedCents),
        equity: pnl.openCents === null ? null : toDollars(a.startingBalanceCents + pnl.realizedCents + pnl.openCents),
        ...livePnlView(pnl),
        createdAt: iso(a.createdAt),
      };
    });
  }
}
