import type { OrderSide, PriceTarget } from '@tradeloop/contracts';
import type { ManagedStop } from '../brackets.js';
import type { ReplayQuote } from './replay.js';

export type BookOrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type BookRole = 'order' | 'takeProfit' | 'stopLoss';

/** The exits an entry carries until it fills (then they become legs). */
export interface BookBracket {
  takeProfit?: PriceTarget;
  stopLoss?: PriceTarget;
  stopLossType?: 'stop' | 'stop_limit';
  stopLossLimitPrice?: number;
  breakEvenTicks?: number;
  trailingTicks?: number;
}

/** A simulated order of the backtest's paper account. */
export interface BookOrder {
  id: string;
  side: OrderSide;
  quantity: number;
  type: BookOrderType;
  limitPrice?: number;
  stopPrice?: number;
  role: BookRole;
  bracket?: BookBracket | null;
  /** The legs of one bracket share it: one filling cancels the other. */
  group?: string;
  /** The alert's price: a market order with no fresh quote fills at it (as the paper broker does). */
  referencePrice?: number;
  /** A stop-limit whose stop was touched: it works as a limit now. */
  triggered?: boolean;
  /** A stop loss that follows the market (break-even, trailing). */
  managed?: ManagedStop;
  /** Placed at this quote number; a resting order fills only on a later quote. */
  placedAt: number;
}

/**
 * The price a resting order fills at on `quote`, or undefined when the quote does not reach it.
 * Buys take the ask, sells the bid. On a path quote (the price moved continuously from the last
 * quote, inside a bar) a touched limit or stop fills at its own price — the market passed it on the
 * way; on a jump (a bar's open, a tick) it fills at the quote, as the paper broker fills a quote
 * that gaps through: a limit at a better price, a stop at a worse one.
 */
export function touchPrice(order: BookOrder, quote: Pick<ReplayQuote, 'bid' | 'ask' | 'path'>): number | undefined {
  const buy = order.side === 'buy';
  const market = buy ? quote.ask : quote.bid;
  const limit = (level: number): number | undefined => {
    if (buy ? market <= level : market >= level) return quote.path ? level : market;
    return undefined;
  };
  switch (order.type) {
    case 'market':
      return market;
    case 'limit':
      return limit(order.limitPrice!);
    case 'stop': {
      const stop = order.stopPrice!;
      if (buy ? market >= stop : market <= stop) return quote.path ? stop : market;
      return undefined;
    }
    case 'stop_limit': {
      if (!order.triggered) {
        const stop = order.stopPrice!;
        if (!(buy ? market >= stop : market <= stop)) return undefined;
        order.triggered = true;
        // Triggered at the stop on a path: the limit is checked at that price first.
        const at = quote.path ? stop : market;
        const lim = order.limitPrice!;
        return (buy ? at <= lim : at >= lim) ? at : undefined;
      }
      return limit(order.limitPrice!);
    }
  }
}

/**
 * The price a new order meets when placed (the paper broker's rule): a market order the quote's
 * ask or bid; a limit or stop the quote's price when already crossed, else undefined (it rests).
 */
export function placementPrice(order: BookOrder, quote: { bid: number; ask: number }): number | undefined {
  return touchPrice(order, { ...quote, path: false });
}
