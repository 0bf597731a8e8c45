import { errorText, type BrokerAccount, type DataFeedContext, type PluginLogger } from '@tradeloop/contracts';
import { onGrid } from '@tradeloop/domain';
import { Hub } from './hub.js';
import type { SessionPool } from './pool.js';
import type { Session } from './session.js';
import type { ProjectXSettings } from './settings.js';
import type { PxQuote } from './wire.js';

/**
 * Quotes from ProjectX's market hub: `SubscribeContractQuotes(contractId)` per front-month
 * contract, `GatewayQuote(contractId, data)` published under the canonical ticker (`NQ1!`) with
 * partial updates merged. The hub reconnects by itself and every subscription is made again after
 * each reconnection. Idle (supports nothing) while no ProjectX account exists.
 */
export class ProjectXFeed {
  private session?: Session;
  /** Whether a login was chosen once (an idle start reports its status too). */
  private chosen = false;
  private hub?: Hub;
  /** Canonical ticker → its contract id, for every ticker subscribed. */
  private readonly tickers = new Map<string, string>();
  private readonly last = new Map<string, { bid?: number; ask?: number }>();
  private stopListening?: () => void;

  constructor(
    private readonly ctx: DataFeedContext,
    private readonly settings: ProjectXSettings,
    private readonly pool: SessionPool,
    private readonly accounts: () => Promise<BrokerAccount[]>,
    private readonly onAccountsChanged: (listener: () => void) => () => void,
    private readonly logger: PluginLogger,
  ) {}

  async start(): Promise<void> {
    this.stopListening = this.onAccountsChanged(() => void this.choose());
    await this.choose();
  }

  async stop(): Promise<void> {
    this.stopListening?.();
    await this.hub?.stop();
  }

  supports(ticker: string): boolean {
    return this.session !== undefined && /^[A-Z0-9]{1,8}1!$/.test(ticker);
  }

  async subscribe(tickers: string[]): Promise<void> {
    const session = this.session;
    if (!session) return;
    for (const ticker of tickers.slice(0, 500)) {
      try {
        const contract = await session.contracts.front(ticker);
        this.tickers.set(ticker, contract.id);
        await this.hub?.invoke('SubscribeContractQuotes', contract.id);
      } catch (error) {
        this.logger.warn(`ProjectX cannot quote ${ticker}: ${errorText(error)}`);
      }
    }
  }

  async unsubscribe(tickers: string[]): Promise<void> {
    for (const ticker of tickers) {
      const contractId = this.tickers.get(ticker);
      if (!contractId) continue;
      this.tickers.delete(ticker);
      this.last.delete(contractId);
      await this.hub?.invoke('UnsubscribeContractQuotes', contractId).catch(() => undefined);
    }
  }

  /** The login of the market-data account (setting `marketDataAccount`, else the oldest account). */
  private async choose(): Promise<void> {
    const accounts = await this.accounts();
    const account = accounts.find((a) => a.brokerAccountId === this.settings.marketDataAccount) ?? accounts[0];
    const resolved = account ? this.pool.resolve(account) : undefined;
    const session = resolved?.ok ? resolved.session : undefined;
    if (session === this.session && this.chosen) return;
    this.chosen = true;
    await this.hub?.stop();
    this.hub = undefined;
    this.session = session;
    if (!session) {
      this.ctx.reportStatus({
        connected: false,
        error: resolved && !resolved.ok ? resolved.problem : 'idle: no ProjectX account is configured',
      });
      return;
    }
    const hub = new Hub({
      name: 'market',
      url: `${session.login.rtcUrl}/hubs/market`,
      token: () => session.accessToken(),
      reconnectMaxMs: this.settings.reconnectMaxMs,
      logger: this.logger,
      subscribe: async (connection) => {
        for (const contractId of new Set(this.tickers.values())) await connection.invoke('SubscribeContractQuotes', contractId);
      },
      onState: (connected, error, reconnects) => this.ctx.reportStatus({ connected, error, reconnects }),
    });
    hub.on('GatewayQuote', (contractId, data) => this.onQuote(contractId, data));
    this.hub = hub;
    await hub.start();
  }

  private onQuote(contractId: unknown, data: unknown): void {
    if (typeof contractId !== 'string' || data === null || typeof data !== 'object') return;
    const quote = data as PxQuote;
    const merged = { ...this.last.get(contractId) };
    if (typeof quote.bestBid === 'number' && Number.isFinite(quote.bestBid) && quote.bestBid > 0) merged.bid = quote.bestBid;
    if (typeof quote.bestAsk === 'number' && Number.isFinite(quote.bestAsk) && quote.bestAsk > 0) merged.ask = quote.bestAsk;
    this.last.set(contractId, merged);
    if (merged.bid === undefined || merged.ask === undefined) return;
    for (const [ticker, id] of this.tickers) {
      if (id !== contractId) continue;
      const tick = this.session?.contracts.known(contractId)?.tickSize ?? 0;
      const time = Date.parse(quote.lastUpdated ?? quote.timestamp ?? '') || Date.now();
      this.ctx.publish({ ticker, bid: onGrid(merged.bid, tick), ask: onGrid(merged.ask, tick), time });
    }
  }
}
