import type { BrokerAccount } from '@tradeloop/contracts';
import { frontMonth, isSupportedRoot, rootOfSymbol, supportedRoots } from './contracts.js';
import type { BrokerKit } from './kit.js';
import type { Session, TvAccount } from './session.js';

/** Where an order for a Tradeloop account goes: its login's session and its Tradovate account. */
export interface Route {
  account: BrokerAccount;
  session: Session;
  tvAccount: TvAccount;
}

export type Routed = ({ ok: true } & Route) | { ok: false; problem: string };

/**
 * From Tradeloop's accounts to Tradovate's: reads the plugin's accounts, gives each login one
 * session (started once, with its user-data socket), and finds the Tradovate account an order
 * names, by `settings.accountSpec`, `settings.accountId` or `brokerAccountId`.
 */
export class Router {
  private accountsLoad?: Promise<BrokerAccount[]>;
  private readonly attached = new WeakSet<Session>();
  private stopped = false;

  constructor(
    private readonly kit: BrokerKit,
    /** Called once per session, before its user-data socket opens: the broker listens to it here. */
    private readonly onSession: (session: Session) => void,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  loadAccounts(): Promise<BrokerAccount[]> {
    this.accountsLoad ??= this.kit.ctx.accounts().then(
      (accounts) => {
        this.kit.pool.remember(accounts);
        return accounts;
      },
      (error: unknown) => {
        this.accountsLoad = undefined;
        throw error;
      },
    );
    return this.accountsLoad;
  }

  async accountsChanged(): Promise<void> {
    this.accountsLoad = undefined;
    await this.connectAll();
  }

  /** Logs in and opens the user-data socket of every configured login; idle (and says so) when there is none. */
  async connectAll(): Promise<void> {
    if (this.stopped) return;
    let accounts: BrokerAccount[];
    try {
      accounts = await this.loadAccounts();
    } catch (error) {
      this.kit.logger.error(`reading the Tradovate accounts failed: ${this.kit.safe(error)}`);
      return;
    }
    if (!accounts.length) {
      this.kit.logger.info('idle: no Tradovate account is configured (POST /api/accounts with "broker": "tradovate")');
      return;
    }
    for (const account of accounts) {
      const resolved = this.kit.pool.resolve(account);
      if (resolved.ok) this.attach(resolved.session);
      else this.kit.logger.warn(`account "${account.name}" cannot trade at Tradovate: ${resolved.problem}`);
    }
    this.kit.pool.prune(accounts);
  }

  attach(session: Session): void {
    if (this.stopped || this.attached.has(session)) return;
    this.attached.add(session);
    this.onSession(session);
    session.startUserSync();
  }

  /** The account, its session and its Tradovate account (name and numeric id). */
  async route(brokerAccountId: string): Promise<Routed> {
    let accounts = await this.loadAccounts();
    let account = accounts.find((a) => a.brokerAccountId === brokerAccountId);
    if (!account) {
      this.accountsLoad = undefined;
      accounts = await this.loadAccounts();
      account = accounts.find((a) => a.brokerAccountId === brokerAccountId);
    }
    if (!account) return { ok: false, problem: `no Tradovate account "${brokerAccountId}" is configured in Tradeloop` };
    const resolved = this.kit.pool.resolve(account);
    if (!resolved.ok) return { ok: false, problem: resolved.problem };
    const { session } = resolved;
    this.attach(session);
    const problem = session.problem();
    if (problem) return { ok: false, problem };
    const spec =
      typeof account.settings.accountSpec === 'string' && account.settings.accountSpec
        ? account.settings.accountSpec
        : account.brokerAccountId;
    const wantedId = Number(account.settings.accountId ?? spec);
    const find = () => [...session.state.accounts.values()].find((a) => a.name === spec || a.id === wantedId);
    let tvAccount = find();
    if (!tvAccount) {
      try {
        const list = (await session.call<TvAccount[] | null>('GET', 'account/list')) ?? [];
        for (const a of list) session.state.accounts.set(a.id, a);
      } catch (error) {
        return { ok: false, problem: this.kit.safe(error) };
      }
      tvAccount = find();
    }
    if (!tvAccount) {
      const names = [...session.state.accounts.values()].map((a) => a.name).join(', ') || 'none';
      return { ok: false, problem: `Tradovate user ${session.label} has no account "${spec}" (it has: ${names})` };
    }
    return { ok: true, account, session, tvAccount };
  }

  /** The front-month contract a ticker trades as (`NQ1!` → `NQZ6`). */
  contractFor(ticker: string): string {
    const instrument = this.kit.ctx.instrument(ticker);
    if (instrument.kind !== 'future' || !isSupportedRoot(instrument.root)) {
      throw new Error(`${ticker} is not a futures contract the Tradovate plugin maps (it maps ${supportedRoots().join(', ')})`);
    }
    return frontMonth(instrument.root, new Date(), this.kit.settings.rollDaysBeforeExpiry).symbol;
  }

  /** The continuous ticker of a contract (`NQZ6` → `NQ1!`). */
  canonical(contract: string): string {
    const root = rootOfSymbol(contract);
    return root ? `${root}1!` : contract;
  }
}
