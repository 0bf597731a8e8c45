import type {
  BracketAck,
  BracketExits,
  BrokerAccountSnapshot,
  BrokerContext,
  BrokerPlugin,
  OrderAck,
  OrderRequest,
  PluginLogger,
} from '@tradeloop/contracts';
import { AccountState } from './account-state.js';
import { FillSync } from './fills.js';
import { BrokerKit } from './kit.js';
import { OrderBook } from './order-book.js';
import { Placer } from './placing.js';
import type { SessionPool } from './pool.js';
import { Recognizer } from './recognition.js';
import { Router } from './routing.js';
import type { Session } from './session.js';
import type { TradovateSettings } from './settings.js';

export { invalidOrder } from './placing.js';
export { CL_ORD_PREFIX } from './recognition.js';

/**
 * Tradovate as a broker: orders through the REST API, their fate (working, fills, rejections,
 * cancellations) through the user-data WebSocket's `props` events, so fills made in Tradovate's
 * own apps are reported too. Idempotent per clientOrderId, across restarts too.
 */
export class TradovateBroker implements BrokerPlugin {
  private readonly kit: BrokerKit;
  private readonly router: Router;
  private readonly book: OrderBook;
  private readonly fills: FillSync;
  private readonly placer: Placer;
  private readonly account: AccountState;
  private readonly acks = new Map<string, Promise<OrderAck>>();
  private readonly brackets = new Map<string, Promise<BracketAck>>();
  private unsubscribe: (() => void)[] = [];

  constructor(ctx: BrokerContext, settings: TradovateSettings, pool: SessionPool, logger: PluginLogger) {
    this.kit = new BrokerKit(ctx, settings, pool, logger);
    this.book = new OrderBook(this.kit);
    this.router = new Router(this.kit, (session) => this.listen(session));
    const recognizer = new Recognizer(this.kit, this.book, this.router);
    this.fills = new FillSync(this.kit, this.book, recognizer, this.router);
    this.placer = new Placer(this.kit, this.book, this.router, recognizer, this.fills);
    this.account = new AccountState(this.kit, this.router, this.book, this.fills);
  }

  async start(): Promise<void> {
    this.unsubscribe.push(this.kit.ctx.onAccountsChanged(() => void this.router.accountsChanged()));
    await this.router.connectAll();
  }

  async stop(): Promise<void> {
    this.router.stop();
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    await this.kit.idle();
  }

  placeOrder(order: OrderRequest): Promise<OrderAck> {
    const id = order?.clientOrderId;
    if (typeof id !== 'string' || id === '') return Promise.resolve(this.placer.rejected('the order has no clientOrderId'));
    let ack = this.acks.get(id);
    if (!ack) {
      ack = this.placer
        .place({ ...order })
        .catch((error: unknown) => this.placer.rejected(`Tradovate plugin error: ${this.kit.safe(error)}`));
      this.acks.set(id, ack);
    }
    return ack;
  }

  async placeBracket(order: OrderRequest, exits: BracketExits): Promise<BracketAck> {
    const id = order?.clientOrderId;
    if (typeof id !== 'string' || id === '') return { entry: this.placer.rejected('the order has no clientOrderId') };
    let ack = this.brackets.get(id);
    if (!ack) {
      ack = this.placer.placeWithExits({ ...order }, { ...exits }).catch((error: unknown) => ({
        entry: this.placer.rejected(`Tradovate plugin error: ${this.kit.safe(error)}`),
      }));
      this.brackets.set(id, ack);
      this.acks.set(
        id,
        ack.then((b) => b.entry),
      );
    }
    return ack;
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    await this.acks.get(clientOrderId)?.catch(() => undefined);
    return this.placer.cancel(clientOrderId);
  }

  flatten(brokerAccountId: string, ticker?: string): Promise<void> {
    return this.account.flatten(brokerAccountId, ticker);
  }

  snapshot(brokerAccountId: string): Promise<BrokerAccountSnapshot> {
    return this.account.snapshot(brokerAccountId);
  }

  private listen(session: Session): void {
    // The login's state for the server: shown on /ws, and told to notification channels when it drops or nears expiry.
    const report = (s: Session, problem: string | null) =>
      this.kit.ctx.reportStatus?.({ account: s.label, connected: problem === null, error: problem, loginExpiresAt: s.loginExpiresAt });
    session.listen({
      onSynced: (s) => {
        report(s, null);
        this.kit.enqueue(() => this.fills.onSynced(s));
      },
      onProps: (s, event) => this.kit.enqueue(() => this.fills.onProps(s, event)),
      onProblem: (s, problem) => report(s, problem),
    });
  }
}
