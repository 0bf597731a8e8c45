import { createHash } from 'node:crypto';
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type {
  ExitSpec,
  FlattenResult,
  KillSwitchResult,
  KillSwitchState,
  OrderSide,
  OrderType,
  OrderView,
  PriceTarget,
} from '@tradeloop/contracts';
import { entryReference, exitTarget, type ExitRole } from '@tradeloop/domain';
import type { Account } from '../accounts/account.entity.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { BracketsService } from '../execution/brackets.service.js';
import { OrderRouter } from '../execution/order-router.service.js';
import { orderView } from '../execution/order-shapes.js';
import { OrdersReader } from '../execution/orders.reader.js';
import { NO_STRATEGY } from '../ledger/ledger-messages.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { RiskService } from '../risk/risk.service.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import { settledWithin } from '../common/settled-within.js';
import { newRowId } from '../common/row-id.js';

/** How long a market order waits for the first quote of a ticker nobody watched yet. */
const FIRST_QUOTE_TIMEOUT_MS = 1500;

export interface ManualOrder {
  accountId?: string;
  strategyId?: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
  type?: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  takeProfit?: ExitSpec;
  stopLoss?: ExitSpec;
}

export interface FlattenScope {
  accountId?: string;
  strategyId?: string;
  ticker?: string;
}

/**
 * A position with no row yet (its entry still on its way), named for a flatten's order key: short
 * and the same each time, as a row's id is, so a flatten done twice keys its order alike.
 */
const positionRef = (target: { accountId: string; key: string; ticker: string }): string =>
  `p${createHash('sha256').update(`${target.accountId}\n${target.key}\n${target.ticker}`).digest('hex').slice(0, 24)}`;

/** Who a position belongs to, as an order for it must say. */
interface Owner {
  strategyId: string | null;
  linkId: string | null;
}

/**
 * What a trader does by hand — and what limits and the kill switch do on their behalf: orders,
 * cancels, flatten and reverse. Every order goes through the same execution path (risk limits,
 * the ledger, the log, /ws) as a strategy's. Orders placed on someone's behalf carry ids derived
 * from what caused them, so a second process doing the same thing places nothing twice.
 */
/** How long a flatten waits for the one before it to end (see flatten). */
const FLATTEN_WAIT_MS = 2_000;

@Injectable()
export class TradingService {
  /** The flatten running now, and those waiting after it (see flatten). */
  private flattening: Promise<void> = Promise.resolve();

  constructor(
    private readonly positions: PositionsReader,
    private readonly orders: OrdersReader,
    private readonly strategyRows: StrategiesReader,
    private readonly accounts: AccountsService,
    private readonly strategies: StrategiesService,
    private readonly router: OrderRouter,
    private readonly brackets: BracketsService,
    private readonly market: MarketService,
    private readonly risk: RiskService,
    private readonly logs: LogsService,
  ) {}

  /** A manual order on an account (no strategy), or on a strategy's own account under the strategy. */
  async placeOrder(input: ManualOrder): Promise<OrderView> {
    const { account, strategyId } = await this.target(input);
    const ticker = this.ticker(input.ticker);
    const instrument = this.market.instrument(ticker);
    if (instrument.kind === 'future' && !Number.isInteger(input.quantity)) {
      throw new BadRequestException(`quantity must be a whole number of contracts for ${ticker}, got ${input.quantity}`);
    }
    const type = input.type ?? 'market';
    if (type === 'limit' && input.limitPrice === undefined) throw new BadRequestException('limitPrice is required for a limit order');
    if (type === 'stop' && input.stopPrice === undefined) throw new BadRequestException('stopPrice is required for a stop order');
    if (type === 'market') await this.market.awaitQuote(ticker, FIRST_QUOTE_TIMEOUT_MS);
    const clientOrderId = `manual:${newRowId()}`;
    // The exit rule (`exitTarget`): from a limit or stop order's price; a market order's from its fill.
    const quote = this.market.latest(ticker);
    const basis = {
      entrySide: input.side,
      tickSize: instrument.tickSize,
      reference: entryReference({ type, limitPrice: input.limitPrice, stopPrice: input.stopPrice }),
      estimate: quote ? (quote.bid + quote.ask) / 2 : null,
    };
    const exit = (spec: ExitSpec | undefined, role: ExitRole): PriceTarget | undefined => {
      if (!spec) return undefined;
      const target = exitTarget(spec, role, basis);
      if (!target) throw new BadRequestException(`${role}: a percent exit needs a quote or a limit/stop price to measure from`);
      return target;
    };
    if (input.takeProfit || input.stopLoss) {
      await this.brackets.attachBracket(clientOrderId, {
        strategyId,
        takeProfit: exit(input.takeProfit, 'takeProfit'),
        stopLoss: exit(input.stopLoss, 'stopLoss'),
      });
    }
    const order = await this.router.submit({
      clientOrderId,
      account,
      strategyId,
      eventId: null,
      ticker,
      side: input.side,
      quantity: input.quantity,
      type,
      limitPrice: input.limitPrice,
      stopPrice: input.stopPrice,
    });
    await this.logs.write({
      level: order.status === 'rejected' ? 'warn' : 'info',
      category: 'manual',
      strategyId,
      message: `manual ${order.side} ${order.quantity} ${order.ticker} ${order.type} on ${account.name} → ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
      context: { orderId: order.id },
    });
    return orderView(order);
  }

  async cancelOrder(id: string): Promise<OrderView> {
    const order = await this.orders.byId(id);
    if (!order) throw new NotFoundException(`order ${id} not found`);
    if (order.status !== 'working' && order.status !== 'pending')
      throw new ConflictException(`order ${id} is ${order.status}: only working orders can be cancelled`);
    if (!(await this.router.cancel(order.clientOrderId, 'cancelled by hand'))) {
      throw new ConflictException(`the broker did not cancel order ${id} (it may have just filled)`);
    }
    return orderView((await this.orders.byId(id))!);
  }

  /**
   * Cancels working orders and closes every position in scope with market orders: an account, a
   * strategy (its recorder and links), a ticker, or everything. `cause` keys the orders when the
   * server flattens on its own (a limit, a time of day), so doing it twice places nothing new.
   */
  flatten(scope: FlattenScope, reason: string, cause?: string): Promise<FlattenResult> {
    // One at a time (a trader's click, a rule, the kill switch, a daily time): each sizes its
    // orders on what the flattens before it left in flight. A flatten whose broker does not answer
    // holds the next one up for FLATTEN_WAIT_MS at most: its orders were checked, so in flight, long before.
    const flattened = settledWithin(this.flattening, FLATTEN_WAIT_MS).then(() => this.flattenNow(scope, reason, cause));
    this.flattening = flattened.then(
      () => undefined,
      () => undefined,
    );
    return flattened;
  }

  private async flattenNow(scope: FlattenScope, reason: string, cause?: string): Promise<FlattenResult> {
    if (scope.accountId) await this.accounts.get(scope.accountId);
    const ticker = scope.ticker ? this.ticker(scope.ticker) : undefined;
    const keys = scope.strategyId ? await this.strategyKeys(scope.strategyId) : undefined;
    const cancelled = await this.cancelWorking({ ...scope, ticker }, reason);
    // Read once the cancels are done: an order being cancelled may fill instead (a bracket's stop
    // the market reached meanwhile), and a position read before would be closed a second time.
    // Besides the positions on record, those a market order sent is still on its way to: an entry
    // sent a moment ago holds nothing on record yet, and left out it would fill after the flatten
    // and stay open (on an account a rule has just locked, too).
    const [open, filling] = await this.risk.withPositionsFilling(
      () =>
        this.positions.where({
          open: true,
          ...(scope.accountId ? { accountId: scope.accountId } : {}),
          ...(keys ? { keys } : {}),
          ...(ticker ? { ticker } : {}),
        }),
      scope.accountId,
    );
    const targets: { accountId: string; key: string; ticker: string; id: string | null; held: number }[] = open.map((p) => ({
      accountId: p.accountId,
      key: p.strategyId,
      ticker: p.ticker,
      id: p.id,
      held: p.quantity,
    }));
    const listed = new Set(targets.map((t) => `${t.accountId}\n${t.key}\n${t.ticker}`));
    for (const f of filling) {
      if ((keys && !keys.includes(f.positionKey)) || (ticker && f.ticker !== ticker)) continue;
      if (listed.has(`${f.accountId}\n${f.positionKey}\n${f.ticker}`)) continue;
      targets.push({ accountId: f.accountId, key: f.positionKey, ticker: f.ticker, id: null, held: 0 });
    }
    const orders = [];
    let closingAlready = 0;
    for (const target of targets) {
      // What it will hold once the market orders sent for it fill: a close sent a moment ago (a
      // flatten before this one) is not on record yet, and sent again it would turn the position
      // around; an entry or an add on its way is, once it fills, to be closed too.
      const onceFilled = await this.risk.positionOnceFilled(target.accountId, target.key, target.ticker);
      if (onceFilled === 0) {
        if (target.held !== 0) closingAlready++;
        continue;
      }
      const owner = await this.owner(target.key);
      const account = await this.accounts.get(target.accountId);
      const clientOrderId = cause ? `${cause}:${target.id ?? positionRef(target)}` : `flatten:${newRowId()}`;
      await this.market.awaitQuote(target.ticker, FIRST_QUOTE_TIMEOUT_MS);
      const order = await this.router.submit({
        clientOrderId,
        account,
        strategyId: owner.strategyId,
        linkId: owner.linkId,
        eventId: null,
        ticker: target.ticker,
        side: onceFilled > 0 ? 'sell' : 'buy',
        quantity: Math.abs(onceFilled),
        type: 'market',
      });
      orders.push(order);
    }
    if (targets.length || cancelled) {
      const placed = orders.map((o) => `${o.side} ${o.quantity} ${o.ticker} → ${o.status}${o.reason ? ` (${o.reason})` : ''}`);
      if (closingAlready) placed.push(`${closingAlready} position(s) already being closed`);
      await this.logs.write({
        level: 'info',
        category: 'manual',
        strategyId: scope.strategyId ?? null,
        message: `flatten (${reason}): ${placed.join(', ') || 'nothing open'}; cancelled ${cancelled} working order(s)`,
      });
    }
    return { cancelled, orders: orders.map((o) => orderView(o)) };
  }

  /**
   * Turns a position around: its working orders cancelled, as a flatten cancels them, then one
   * market order for twice what is held. Its exits were for the position being closed: left
   * working, a long's take profit and stop would sell into the short, and add to it.
   */
  async reverse(scope: { accountId?: string; strategyId?: string; ticker: string }): Promise<OrderView> {
    const { account, strategyId } = await this.target(scope);
    const ticker = this.ticker(scope.ticker);
    // What it will hold once the market orders sent for it fill: a reverse clicked twice before the
    // first one's fill came turns the position back, not three times as far.
    const held = async () => {
      const quantity = await this.risk.positionOnceFilled(account.id, strategyId ?? NO_STRATEGY, ticker);
      if (quantity === 0)
        throw new ConflictException(
          `nothing is held in ${ticker} on ${account.name}${strategyId ? ' for that strategy' : ''}: nothing to reverse`,
        );
      return quantity;
    };
    // Nothing held: refused before anything is cancelled.
    await held();
    if (strategyId) await this.brackets.cancelBrackets(strategyId, ticker);
    // The position's own orders: not a link's (a position of its own), nor another strategy's on the account.
    const working = await this.orders.working({ accountId: account.id, ticker, ...(strategyId ? { strategyId } : {}) });
    for (const order of working) {
      if (order.strategyId === strategyId && order.linkId === null) await this.router.cancel(order.clientOrderId, 'cancelled by a reverse');
    }
    // Read again once the cancels are done: an exit being cancelled may have filled instead.
    const quantity = await held();
    await this.market.awaitQuote(ticker, FIRST_QUOTE_TIMEOUT_MS);
    const order = await this.router.submit({
      clientOrderId: `reverse:${newRowId()}`,
      account,
      strategyId,
      eventId: null,
      ticker,
      side: quantity > 0 ? 'sell' : 'buy',
      quantity: Math.abs(quantity) * 2,
      type: 'market',
    });
    return orderView(order);
  }

  /** Everything stops: every strategy disabled, every working order cancelled, every position closed. */
  async engageKillSwitch(reason: string): Promise<KillSwitchResult> {
    const state = await this.risk.setKillSwitch(true, reason);
    const strategies = await this.strategyRows.enabled();
    for (const strategy of strategies) await this.strategies.halt(strategy.id, `kill switch: ${reason}`, null);
    for (const strategy of await this.strategyRows.all()) await this.brackets.cancelBrackets(strategy.id);
    const result = await this.flatten({}, `kill switch: ${reason}`, `kill:${state.since}`);
    await this.logs.write({
      level: 'error',
      category: 'risk',
      message: `KILL SWITCH engaged (${reason}): ${strategies.length} strategies disabled, ${result.cancelled} working orders cancelled, ${result.orders.length} positions closed`,
    });
    return { ...state, strategiesDisabled: strategies.length, ...result };
  }

  async releaseKillSwitch(): Promise<KillSwitchState> {
    const state = await this.risk.setKillSwitch(false, null);
    await this.logs.write({
      level: 'warn',
      category: 'risk',
      message: 'kill switch released: strategies stay disabled until enabled by hand',
    });
    return state;
  }

  private async cancelWorking(scope: FlattenScope, reason: string): Promise<number> {
    const working = await this.orders.working({
      ...(scope.accountId ? { accountId: scope.accountId } : {}),
      ...(scope.strategyId ? { strategyId: scope.strategyId } : {}),
      ...(scope.ticker ? { ticker: scope.ticker } : {}),
    });
    if (scope.strategyId) await this.brackets.cancelBrackets(scope.strategyId, scope.ticker);
    let cancelled = 0;
    for (const order of working) if (await this.router.cancel(order.clientOrderId, reason)) cancelled++;
    return cancelled;
  }

  /** The keys a strategy's positions are held under: its own and its links'. */
  private async strategyKeys(strategyId: string): Promise<string[]> {
    await this.strategies.get(strategyId);
    const links = await this.strategyRows.linksOf(strategyId);
    return [strategyId, ...links.map((l) => l.id)];
  }

  private async owner(positionKey: string): Promise<Owner> {
    if (positionKey === NO_STRATEGY) return { strategyId: null, linkId: null };
    const link = await this.strategyRows.link(positionKey);
    return link ? { strategyId: link.strategyId, linkId: link.id } : { strategyId: positionKey, linkId: null };
  }

  private async target(input: { accountId?: string; strategyId?: string }): Promise<{ account: Account; strategyId: string | null }> {
    if (input.strategyId) {
      const strategy = await this.strategies.get(input.strategyId);
      if (input.accountId && input.accountId !== strategy.accountId) {
        throw new BadRequestException("accountId: a strategy's manual orders go to its own account; leave accountId out");
      }
      return { account: await this.accounts.get(strategy.accountId), strategyId: strategy.id };
    }
    if (!input.accountId) throw new BadRequestException('accountId or strategyId is required');
    return { account: await this.accounts.get(input.accountId), strategyId: null };
  }

  private ticker(raw: string): string {
    try {
      return this.market.resolve(raw).ticker;
    } catch (error) {
      throw new BadRequestException(`ticker: ${(error as Error).message}`);
    }
  }
}
