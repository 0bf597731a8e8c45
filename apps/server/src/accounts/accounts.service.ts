import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AccountSettings, AccountView, BrokerAccount } from '@tradeloop/contracts';
import { accountFieldProblems, checkRiskLimits, isValidTimeZone, toCents, toDollars } from '@tradeloop/domain';
import { randomUUID } from 'node:crypto';
import { Repository, type EntityManager } from 'typeorm';
import { iso } from '../common/money.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { SecretBox } from '../infra/secrets/secret-box.js';
import { PluginHostService, providesBroker } from '../plugins/plugin-host.service.js';
import { livePnlView, PnlLiveService } from '../pnl/pnl-live.service.js';
import { Account } from './account.entity.js';
import { AccountsReader } from './accounts.reader.js';
import type { CreateAccountDto, UpdateAccountDto } from './dto/account.dto.js';
import { DomainEvents } from '../infra/events/domain-events.js';

export const PAPER_BROKER = 'paper-broker';

@Injectable()
export class AccountsService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly database: DatabaseService,
    private readonly secretBox: SecretBox,
    private readonly plugins: PluginHostService,
    private readonly events: DomainEvents,
    private readonly pnl: PnlLiveService,
    private readonly reader: AccountsReader,
  ) {}

  /** Serves broker plugins their accounts; first start: a paper account so a webhook can trade out of the box. */
  async onModuleInit(): Promise<void> {
    this.plugins.setAccountSource({ accounts: (broker) => this.forBroker(broker) });
    if ((await this.accounts.count()) > 0) return;
    const paper = this.database.transaction((m) =>
      m.insert(Account, {
        id: randomUUID(),
        name: 'Paper',
        broker: PAPER_BROKER,
        brokerAccountId: 'paper-1',
        startingBalanceCents: toCents(this.config.accounts.paperStartingBalance),
        settings: null,
        secrets: null,
        risk: null,
        haltedUntil: null,
        createdAt: Date.now(),
      }),
    );
    // Several processes starting at once on one database: the first one's Paper account stands.
    await paper.catch(async (error: unknown) => {
      if (!(await this.accounts.existsBy({ name: 'Paper' }))) throw error;
    });
  }

  async get(id: string): Promise<Account> {
    const account = await this.reader.byId(id);
    if (!account) throw new NotFoundException(`account ${id} not found`);
    return account;
  }

  /** The default account for new strategies: the oldest one. */
  async defaultAccount(): Promise<Account> {
    const [account] = await this.accounts.find({ order: { createdAt: 'ASC' }, take: 1 });
    if (!account) throw new NotFoundException('no account exists');
    return account;
  }

  /** An account's balance in dollars: its starting balance plus realized P&L (open P&L left out, as position sizing takes it). */
  async balance(id: string): Promise<number> {
    const account = await this.get(id);
    const pnl = (await this.pnl.of('account')).get(id);
    return toDollars(account.startingBalanceCents + pnl.realizedCents);
  }

  /** Accounts with balance, equity (balance + open P&L) and live P&L; manual trades count toward their account. */
  async list(): Promise<AccountView[]> {
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
        ...this.configuration(a),
        risk: a.risk,
        haltedUntil: iso(a.haltedUntil),
        createdAt: iso(a.createdAt),
      };
    });
  }

  async create(dto: CreateAccountDto): Promise<AccountView> {
    this.assertBroker(dto.broker);
    this.assertFields(dto.broker, dto.settings ?? {}, dto.secrets ?? {}, []);
    await this.assertNameFree(dto.name);
    const account: Account = {
      id: randomUUID(),
      name: dto.name.trim(),
      broker: dto.broker,
      brokerAccountId: dto.brokerAccountId,
      startingBalanceCents: toCents(dto.startingBalance ?? 0),
      settings: dto.settings ?? null,
      secrets: dto.secrets && Object.keys(dto.secrets).length ? this.secretBox.sealJson(dto.secrets) : null,
      risk: this.risk(dto.risk),
      haltedUntil: null,
      createdAt: Date.now(),
    };
    await this.write(account.id, (m) => m.insert(Account, account));
    this.events.publish('AccountsChanged', { broker: account.broker });
    return this.viewOne(account.id);
  }

  /** `secrets` merge key by key: a string sets one, null removes it, absent keys stay. They are never read back. */
  async update(id: string, dto: UpdateAccountDto): Promise<AccountView> {
    const account = await this.get(id);
    if (dto.name !== undefined && dto.name.trim() !== account.name) await this.assertNameFree(dto.name);
    if (dto.settings !== undefined || dto.secrets !== undefined) {
      const kept = Object.keys(this.secretBox.openJson(account.secrets)).filter((name) => dto.secrets?.[name] !== null);
      const sent = Object.fromEntries(Object.entries(dto.secrets ?? {}).filter((e): e is [string, string] => e[1] !== null));
      this.assertFields(account.broker, dto.settings ?? account.settings ?? {}, sent, kept);
    }
    const changes: Partial<Account> = {
      ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
      ...(dto.brokerAccountId !== undefined ? { brokerAccountId: dto.brokerAccountId } : {}),
      ...(dto.settings !== undefined ? { settings: dto.settings } : {}),
      ...(dto.risk !== undefined ? { risk: this.risk(dto.risk) } : {}),
    };
    if (dto.secrets !== undefined) {
      const secrets = { ...this.secretBox.openJson(account.secrets) };
      for (const [name, value] of Object.entries(dto.secrets)) {
        if (value === null) delete secrets[name];
        else secrets[name] = value;
      }
      changes.secrets = Object.keys(secrets).length ? this.secretBox.sealJson(secrets) : null;
    }
    if (Object.keys(changes).length) {
      await this.write(id, (m) => m.update(Account, { id }, changes));
      this.events.publish('AccountsChanged', { broker: account.broker });
    }
    return this.viewOne(id);
  }

  async viewOne(id: string): Promise<AccountView> {
    await this.get(id);
    return (await this.list()).find((a) => a.id === id)!;
  }

  /** A broker plugin's accounts with their settings and decrypted secrets, oldest first: for that plugin only. */
  async forBroker(broker: string): Promise<BrokerAccount[]> {
    const accounts = await this.accounts.find({ where: { broker }, order: { createdAt: 'ASC' } });
    return accounts.map((a) => ({
      id: a.id,
      name: a.name,
      brokerAccountId: a.brokerAccountId,
      settings: { ...(a.settings ?? {}) },
      secrets: this.secretBox.openJson(a.secrets),
    }));
  }

  /** The broker credentials of an account, decrypted, for its broker plugin only. */
  async credentials(id: string): Promise<Record<string, string>> {
    return this.secretBox.openJson((await this.get(id)).secrets);
  }

  /** Settings as stored; secrets by name only: which are set, never their values. */
  private configuration(account: Account) {
    return {
      settings: account.settings ?? {},
      secrets: account.secrets ? Object.keys(this.secretBox.openJson(account.secrets)).sort() : [],
    };
  }

  private risk(raw: Record<string, unknown> | null | undefined) {
    const checked = checkRiskLimits(raw, isValidTimeZone);
    if (!checked.ok) throw new BadRequestException(checked.error);
    return checked.value;
  }

  /** A daily limit was hit: no new exposure on the account until `until` (null: lifted). */
  async setHalted(id: string, until: number | null): Promise<void> {
    await this.write(id, (m) => m.update(Account, { id }, { haltedUntil: until }));
  }

  /** Every change to an account's row: the reader's copy is dropped the moment it commits. */
  private write(id: string, change: (manager: EntityManager) => Promise<unknown>): Promise<void> {
    return this.reader.changing(() =>
      this.database.transaction(async (manager) => {
        await change(manager);
        this.database.onCommitted(manager, () => this.reader.changed(id));
      }),
    );
  }

  private assertBroker(broker: string): void {
    const brokers = this.plugins
      .list()
      .filter((p) => providesBroker(p.kind))
      .map((p) => p.name);
    if (!brokers.includes(broker))
      throw new BadRequestException(`broker must be one of ${brokers.join(', ') || '(no broker plugins)'}, got "${broker}"`);
  }

  /** The account's fields against its broker's manifest schema (when it has one): 400 naming every bad field. */
  private assertFields(broker: string, settings: AccountSettings, secrets: Record<string, string>, keptSecrets: string[]): void {
    const schema = this.plugins.accountSettings(broker);
    if (!schema) return;
    const problems = accountFieldProblems(schema, { settings, secrets, keptSecrets });
    if (problems.length)
      throw new BadRequestException(
        `a ${broker} account ${problems.length === 1 ? 'has a problem' : 'has problems'}: ${problems.join('; ')}`,
      );
  }

  private async assertNameFree(name: string): Promise<void> {
    if (await this.accounts.existsBy({ name: name.trim() }))
      throw new ConflictException(`an account named "${name.trim()}" already exists`);
  }
}
