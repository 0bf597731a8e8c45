import { Injectable } from '@nestjs/common';
import type { BrokerFill } from '@tradeloop/contracts';
import type { EntityManager } from 'typeorm';
import { applyFill, averagePrice, fillProblem, netQuantity, toCents } from '@tradeloop/domain';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { Fill } from './fill.entity.js';
import { fillData, NO_STRATEGY, positionData, tradeData } from './ledger-messages.js';
import { Position } from './position.entity.js';
import type { Trade } from './trade.entity.js';
import { LedgerStore } from './ledger-store.js';
import { newRowId } from '../common/row-id.js';

/**
 * What the ledger needs to know of the order a fill belongs to. Execution's order row has these
 * fields; the ledger does not know that row, and never writes it.
 */
export interface FillSubject {
  id: string;
  clientOrderId: string;
  accountId: string;
  strategyId: string | null;
  /** A link's copy: its position and trades are keyed under the link. */
  linkId?: string | null;
  ticker: string;
  /** The price the alert carried: what slippage is measured from. */
  signalPrice?: number | null;
}

/** What one booked fill wrote: the fill, the position it moved, the round trips it closed. */
export interface LedgerEntry {
  fill: Fill;
  /** The client id of the order the fill was booked against (FILL carries it). */
  clientOrderId: string;
  position: Position;
  trades: Trade[];
}

export { NO_STRATEGY };

/** A real broker's fill is the market's own; a paper fill says where its price came from. */
export const fillPriceSource = (fill: BrokerFill): string =>
  typeof fill.priceSource === 'string' && fill.priceSource.trim() !== '' ? fill.priceSource.trim().slice(0, 80) : 'broker';

/** How far the fill is from the price the alert carried, against the trader: `; slippage +0.25 vs 25000`. */
function slippageNote(order: FillSubject, fill: BrokerFill): string {
  if (order.signalPrice === null || order.signalPrice === undefined) return '';
  const against = (fill.side === 'buy' ? fill.price - order.signalPrice : order.signalPrice - fill.price) + 0;
  const shown = Number(against.toFixed(8));
  return `; slippage ${shown > 0 ? '+' : ''}${shown} vs signal ${order.signalPrice}`;
}

/**
 * A fill the ledger can never hold exactly (a quantity, price or P&L past any real one): trying
 * again would fail the same way, so it is a dead letter with this reason instead.
 */
export class UnbookableFill extends Error {
  constructor(
    readonly fill: BrokerFill,
    readonly reason: string,
  ) {
    super(`fill ${fill.fillId} (${fill.side} ${String(fill.quantity)} ${fill.ticker} @ ${String(fill.price)}) cannot be booked: ${reason}`);
  }
}

/** The money: a fill, the position it moves, the round trips it closes and its realized P&L commit together. */
@Injectable()
export class LedgerService {
  constructor(
    private readonly database: DatabaseService,
    private readonly market: MarketService,
    private readonly logs: LogsService,
    private readonly bus: EventBus,
    private readonly store: LedgerStore,
  ) {}

  /** Fills booked on an account: how reconciliation counts what it caught up. */
  countFills(accountId: string): Promise<number> {
    return this.database.dataSource.manager.countBy(Fill, { accountId });
  }

  /** An account's net position per ticker over every strategy, link and manual trade in it. */
  async netPositions(accountId: string): Promise<{ ticker: string; quantity: number }[]> {
    const net = new Map<string, number>();
    for (const p of await this.database.dataSource.manager.findBy(Position, { accountId }))
      net.set(p.ticker, (net.get(p.ticker) ?? 0) + p.quantity);
    return [...net].map(([ticker, quantity]) => ({ ticker, quantity }));
  }

  /**
   * Books a broker fill in a unit of work of its own and announces it. Execution books in its own
   * unit of work instead (`book`), so that its order row moves in the same transaction.
   */
  async bookFill(order: FillSubject, brokerFill: BrokerFill): Promise<LedgerEntry | null> {
    const booked = await this.database.bookkeeping((m) => this.book(m, order, brokerFill));
    if (booked) this.announce(booked);
    return booked;
  }

  /** The `/ws` news of a booked fill, once its unit of work has committed: the fill, its trades, the position. */
  announce(booked: LedgerEntry): void {
    this.bus.publish('FILL', fillData(booked.fill, booked.clientOrderId));
    for (const trade of booked.trades) this.bus.publish('TRADE', tradeData(trade));
    this.bus.publish('POSITION', positionData(booked.position));
  }

  /**
   * Books a broker fill against its order inside the unit of work `m` it is handed: the fill, the
   * position it moves, the round trips it closes and their realized P&L, and a log line. A fill
   * already booked (same broker fill id) is ignored: null. Throws UnbookableFill for a fill the
   * ledger can never hold exactly.
   */
  async book(m: EntityManager, order: FillSubject, brokerFill: BrokerFill): Promise<LedgerEntry | null> {
    const instrument = this.market.instrument(order.ticker);
    // A fill booked already is found by the fill's insert below (its key), before anything else is written.
    const refuse = async (problem: string): Promise<null> => {
      // A fill delivered again may not fit the position as it is now: what was booked is not refused.
      if (await this.store.fillBooked(m, order.accountId, brokerFill.fillId)) return null;
      throw new UnbookableFill(brokerFill, problem);
    };
    // A link's copy of a strategy's trade is held under the link; manual trades under no strategy.
    const strategyKey = order.linkId ?? order.strategyId ?? NO_STRATEGY;
    const held = await this.store.position(m, order.accountId, strategyKey, order.ticker);
    const position: Position =
      held ??
      ({
        id: newRowId(),
        accountId: order.accountId,
        strategyId: strategyKey,
        ticker: order.ticker,
        quantity: 0,
        avgPrice: null,
        realizedCents: 0,
        lots: [],
        updatedAt: brokerFill.time,
      } satisfies Position);

    const commission = Number.isFinite(brokerFill.commission) ? toCents(brokerFill.commission) : Number.NaN;
    const priceSource = fillPriceSource(brokerFill);
    const input = {
      side: brokerFill.side,
      quantity: brokerFill.quantity,
      price: brokerFill.price,
      time: brokerFill.time,
      commissionCents: commission,
      priceSource,
    };
    const before = fillProblem(input);
    if (before) return refuse(before);
    const result = applyFill({ lots: position.lots }, input, instrument);
    const after = fillProblem(input, result, position.realizedCents);
    if (after) return refuse(after);
    const commissionCents = commission;
    const fill: Fill = {
      id: newRowId(),
      brokerFillId: brokerFill.fillId,
      orderId: order.id,
      strategyId: order.strategyId,
      accountId: order.accountId,
      ticker: order.ticker,
      side: brokerFill.side,
      quantity: brokerFill.quantity,
      price: brokerFill.price,
      commissionCents,
      realizedCents: result.realizedCents,
      priceSource,
      time: brokerFill.time,
    };
    if (!(await this.store.insertFill(m, fill))) return null;

    position.lots = result.state.lots;
    position.quantity = netQuantity(result.state);
    position.avgPrice = averagePrice(result.state);
    position.realizedCents += result.realizedCents;
    position.updatedAt = brokerFill.time;
    await this.store.savePosition(m, position, !held);

    const trades = result.trades.map((t): Trade => ({
      id: newRowId(),
      accountId: order.accountId,
      strategyId: strategyKey,
      ticker: order.ticker,
      direction: t.direction,
      quantity: t.quantity,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      entryTime: t.entryTime,
      exitTime: t.exitTime,
      grossCents: t.grossCents,
      commissionCents: t.commissionCents,
      pnlCents: t.pnlCents,
      exitFillId: fill.id,
      entryPriceSource: t.entryPriceSource,
      exitPriceSource: t.exitPriceSource,
    }));
    if (trades.length) await this.store.insertTrades(m, trades);

    const closed = trades.length ? `, closed ${trades.length} trade(s) for ${(result.realizedCents / 100).toFixed(2)}` : '';
    const slippage = slippageNote(order, brokerFill);
    await this.logs.write(
      {
        level: 'info',
        category: 'fill',
        strategyId: order.strategyId,
        message: `filled ${brokerFill.side} ${brokerFill.quantity} ${order.ticker} @ ${brokerFill.price} (price: ${priceSource}${slippage})${closed}; position ${position.quantity}`,
        context: { orderId: order.id, clientOrderId: order.clientOrderId, fillId: fill.id, priceSource },
      },
      m,
    );
    return { fill, clientOrderId: order.clientOrderId, position, trades };
  }
}
