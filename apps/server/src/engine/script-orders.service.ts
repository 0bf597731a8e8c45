import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Account } from '../accounts/account.entity.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { BracketsService } from '../execution/brackets.service.js';
import { OrderRouter, type OrderIntent } from '../execution/order-router.service.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { RiskService } from '../risk/risk.service.js';
import { SHARED_ORDER_COUNTS, type SharedOrderCounts } from '../risk/shared-order-counts.js';
import type { ScriptAction } from '../sandbox/protocol.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import { OrderRateLimiter, parseAction } from './script-actions.js';

/** How long a market order waits for the first quote of a ticker nobody watched yet. */
const FIRST_QUOTE_TIMEOUT_MS = 1500;

/** The event the actions came from: its id keys the orders, so a redelivery never orders twice. */
export interface ActionSource {
  eventId: string;
  /** The WebhookEvent, when the actions answer an alert. */
  webhookEventId: string | null;
  /** e.g. `onTick`, for the log. */
  label: string;
}

/**
 * Carries out what a script asked for, after its call returned: orders (with take profit and stop
 * loss as server-managed brackets), flatten and cancel-all, held to the per-minute order limit.
 * Returns one line per action for the log.
 */
@Injectable()
export class ScriptOrdersService {
  private readonly limiter: OrderRateLimiter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly positions: PositionsReader,
    private readonly accounts: AccountsService,
    private readonly router: OrderRouter,
    private readonly brackets: BracketsService,
    private readonly market: MarketService,
    private readonly logs: LogsService,
    private readonly risk: RiskService,
    /** With several processes (Redis): a strategy's events, and so its script's orders, go to any of them. */
    @Optional() @Inject(SHARED_ORDER_COUNTS) private readonly shared: SharedOrderCounts | null = null,
  ) {
    this.limiter = new OrderRateLimiter(config.strategies.maxOrdersPerMinute);
  }

  forget(strategyId: string): void {
    this.limiter.forget(strategyId);
  }

  async execute(strategy: Strategy, raw: unknown[], source: ActionSource): Promise<string[]> {
    if (!raw.length) return [];
    const account = await this.accounts.get(strategy.accountId);
    const notes: string[] = [];
    let n = 0;
    for (const item of raw) {
      const action = parseAction(item);
      if (typeof action === 'string') {
        notes.push(await this.refuse(strategy, source, `action refused: ${action}`));
        continue;
      }
      switch (action.kind) {
        case 'order':
          notes.push(await this.order(strategy, account, action, source, `${source.eventId}:${++n}`));
          break;
        case 'cancelAll':
          notes.push(await this.cancelAll(strategy, action.ticker, source));
          break;
        case 'flatten':
          for (const note of await this.flatten(strategy, account, action.ticker, source, () => `${source.eventId}:${++n}`))
            notes.push(note);
          break;
      }
    }
    return notes;
  }

  /**
   * Why the strategy's script may not place another order this minute, or null (and it is
   * counted). With several processes the count they share is the one that holds; keyed by the
   * order's client id, so an event handled again counts its orders once.
   */
  private async overOrderLimit(strategyId: string, clientOrderId: string): Promise<string | null> {
    const limit = this.config.strategies.maxOrdersPerMinute;
    const over = `more than ${limit} orders in a minute`;
    if (!this.shared) return this.limiter.take(strategyId) ? null : over;
    try {
      return (await this.shared.take([{ key: `script:${strategyId}`, limit }], clientOrderId, Date.now(), 60_000)) < 0 ? null : over;
    } catch (error) {
      return `the orders a minute could not be counted across processes (Redis: ${(error as Error).message})`;
    }
  }

  /** The canonical ticker, or why there is none (in the words of the catalogue). */
  private resolve(ticker: string): { ticker: string } | { problem: string } {
    try {
      return { ticker: this.market.resolve(ticker).ticker };
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }

  private async order(
    strategy: Strategy,
    account: Account,
    action: Extract<ScriptAction, { kind: 'order' }>,
    source: ActionSource,
    clientOrderId: string,
    /** Closing orders (flatten) are never held back by the rate limit. */
    limited = true,
  ): Promise<string> {
    const resolved = this.resolve(action.ticker);
    const what = `${action.side} ${action.quantity} ${action.ticker}`;
    if ('problem' in resolved) return this.refuse(strategy, source, `${what} refused: ${resolved.problem}`);
    const ticker = resolved.ticker;
    if (this.market.instrument(ticker).kind === 'future' && !Number.isInteger(action.quantity)) {
      return this.refuse(strategy, source, `${what} refused: futures trade whole contracts`);
    }
    if (limited) {
      const over = await this.overOrderLimit(strategy.id, clientOrderId);
      if (over) return this.refuse(strategy, source, `${what} refused: ${over}`);
    }
    const { type = 'market', limitPrice, stopPrice, takeProfit, stopLoss } = action.options;
    if (type === 'market') await this.market.awaitQuote(ticker, FIRST_QUOTE_TIMEOUT_MS);
    else await this.market.subscribe([ticker]);
    if (takeProfit || stopLoss) await this.brackets.attachBracket(clientOrderId, { strategyId: strategy.id, takeProfit, stopLoss });
    const intent: OrderIntent = {
      clientOrderId,
      account,
      strategyId: strategy.id,
      eventId: source.webhookEventId,
      ticker,
      side: action.side,
      quantity: action.quantity,
      type,
      limitPrice,
      stopPrice,
    };
    const order = await this.router.submit(intent);
    const bracket = [takeProfit && `take profit ${describeTarget(takeProfit)}`, stopLoss && `stop loss ${describeTarget(stopLoss)}`]
      .filter(Boolean)
      .join(', ');
    return `${order.side} ${order.quantity} ${order.ticker} ${order.type}${bracket ? ` (${bracket})` : ''} → ${order.status}${order.reason ? ` (${order.reason})` : ''}`;
  }

  private async cancelAll(strategy: Strategy, ticker: string | null, source: ActionSource): Promise<string> {
    const found = ticker === null ? undefined : this.resolve(ticker);
    if (found && 'problem' in found) return this.refuse(strategy, source, `cancelAll ${ticker} refused: ${found.problem}`);
    const resolved = found?.ticker;
    await this.brackets.cancelBrackets(strategy.id, resolved);
    const cancelled = await this.router.cancelWorking(strategy.id, `cancelled by the script (${source.label})`, resolved);
    return `cancelled ${cancelled} working order(s)${resolved ? ` in ${resolved}` : ''}`;
  }

  private async flatten(
    strategy: Strategy,
    account: Account,
    ticker: string | null,
    source: ActionSource,
    nextId: () => string,
  ): Promise<string[]> {
    const found = ticker === null ? undefined : this.resolve(ticker);
    if (found && 'problem' in found) return [await this.refuse(strategy, source, `flatten ${ticker} refused: ${found.problem}`)];
    const resolved = found?.ticker;
    const notes = [await this.cancelAll(strategy, resolved ?? null, source)];
    // The tickers held, and those a market order sent is still on its way in: an entry sent a
    // moment ago (the alert before, or this call's own buy) holds nothing on record yet, and left
    // out it would fill after the flatten and stay open.
    const [open, filling] = await this.risk.withMarketFilling(account.id, strategy.id, () =>
      this.positions.where({ strategyId: strategy.id, accountId: account.id, open: true, ...(resolved ? { ticker: resolved } : {}) }),
    );
    const tickers = new Set(open.map((position) => position.ticker));
    for (const [ticker, pending] of filling) if (pending !== 0 && (!resolved || ticker === resolved)) tickers.add(ticker);
    let closing = 0;
    for (const ticker of tickers) {
      // What it will hold once the market orders sent for it fill: a close sent a moment ago (an
      // earlier flatten) is not in the position yet, and closed again it would turn it around.
      const quantity = await this.risk.positionOnceFilled(account.id, strategy.id, ticker);
      if (quantity === 0) continue;
      closing++;
      notes.push(
        await this.order(
          strategy,
          account,
          { kind: 'order', side: quantity > 0 ? 'sell' : 'buy', ticker, quantity: Math.abs(quantity), options: { type: 'market' } },
          source,
          nextId(),
          false,
        ),
      );
    }
    if (!closing) notes.push(`already flat${resolved ? ` in ${resolved}` : ''}${tickers.size ? ' once the orders sent fill' : ''}`);
    return notes;
  }

  private async refuse(strategy: Strategy, source: ActionSource, message: string): Promise<string> {
    await this.logs.write({
      level: 'warn',
      category: 'script',
      strategyId: strategy.id,
      message: `${source.label}: ${message}`,
      context: { eventId: source.eventId },
    });
    return message;
  }
}

const describeTarget = (t: { ticks?: number; price?: number }) => (t.price !== undefined ? `@ ${t.price}` : `${t.ticks} ticks`);
