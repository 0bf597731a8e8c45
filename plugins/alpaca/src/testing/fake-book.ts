import { randomUUID } from 'node:crypto';

/** An account of the fake: its keys, number and cash. */
export interface FakeAccount {
  keyId: string;
  secretKey: string;
  accountNumber: string;
  cash: number;
}

export interface FakeAsset {
  symbol: string;
  tradable: boolean;
  fractionable: boolean;
  min_order_size: string;
  min_trade_increment: string;
  price_increment: string;
}

/** An order as Alpaca shows it (numbers as decimal strings), with the account it belongs to. */
export interface FakeOrder {
  account: string;
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  symbol: string;
  asset_class: 'us_equity';
  qty: string;
  notional: null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_type: string;
  type: string;
  side: 'buy' | 'sell';
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  extended_hours: boolean;
}

export interface FakeFill {
  account: string;
  id: string;
  activity_type: 'FILL';
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: 'buy' | 'sell';
  symbol: string;
  order_id: string;
  cum_qty: string;
  leaves_qty: string;
  order_status: string;
}

export const OPEN = new Set(['new', 'accepted', 'pending_new', 'partially_filled', 'held']);
const num = (text: string | null) => (text === null ? 0 : Number(text));
const str = (value: number) => String(Number(value.toFixed(9)));

/**
 * The fake's exchange: orders, positions and cash per account, matched against the quotes it is
 * given (buys at the ask, sells at the bid; limits at the limit or better; stops once touched).
 * Every change is handed to `emit` as a trade update in Alpaca's shape.
 */
export class FakeBook {
  readonly orders: FakeOrder[] = [];
  readonly fills: FakeFill[] = [];
  readonly quotes = new Map<string, { bid: number; ask: number }>();
  readonly positions = new Map<string, Map<string, { qty: number; cost: number }>>();
  /** Fill market orders in two parts (a partial fill, then the rest). */
  splitFills = false;

  constructor(
    readonly accounts: FakeAccount[],
    private readonly emit: (account: string, update: Record<string, unknown>) => void,
  ) {}

  newOrder(
    account: string,
    fields: Omit<
      FakeOrder,
      | 'account'
      | 'id'
      | 'created_at'
      | 'updated_at'
      | 'submitted_at'
      | 'filled_at'
      | 'filled_qty'
      | 'filled_avg_price'
      | 'asset_class'
      | 'notional'
      | 'status'
    >,
  ): FakeOrder {
    const now = new Date().toISOString();
    const order: FakeOrder = {
      account,
      id: randomUUID(),
      created_at: now,
      updated_at: now,
      submitted_at: now,
      filled_at: null,
      asset_class: 'us_equity',
      notional: null,
      filled_qty: '0',
      filled_avg_price: null,
      status: 'accepted',
      ...fields,
    };
    this.orders.push(order);
    // Alpaca answers the POST first; the stream then says `new`, and fills follow.
    setImmediate(() => {
      if (order.status !== 'accepted') return;
      order.status = 'new';
      this.emit(account, { event: 'new', timestamp: new Date().toISOString(), order: this.view(order) });
      this.match(order.symbol);
    });
    return order;
  }

  view(order: FakeOrder): Omit<FakeOrder, 'account'> {
    const { account: _account, ...rest } = order;
    return { ...rest };
  }

  quote(symbol: string, bid: number, ask: number): void {
    this.quotes.set(symbol, { bid, ask });
    this.match(symbol);
  }

  /** Fills every open order of the symbol the quote reaches. */
  match(symbol: string): void {
    const quote = this.quotes.get(symbol);
    if (!quote) return;
    for (const order of this.orders) {
      if (order.symbol !== symbol || (order.status !== 'new' && order.status !== 'partially_filled')) continue;
      const buy = order.side === 'buy';
      const touch = buy ? quote.ask : quote.bid;
      const limit = num(order.limit_price);
      const stop = num(order.stop_price);
      const go =
        order.type === 'market' ||
        (order.type === 'limit' && (buy ? touch <= limit : touch >= limit)) ||
        (order.type === 'stop' && (buy ? touch >= stop : touch <= stop));
      if (!go) continue;
      const left = num(order.qty) - num(order.filled_qty);
      if (this.splitFills && order.type === 'market' && num(order.filled_qty) === 0 && left > 1) {
        this.fill(order, Math.floor(left / 2), touch);
        this.fill(order, left - Math.floor(left / 2), touch);
      } else this.fill(order, left, touch);
    }
  }

  fill(order: FakeOrder, qty: number, price: number): void {
    const before = num(order.filled_qty);
    const cum = before + qty;
    const avg = (before * num(order.filled_avg_price) + qty * price) / cum;
    order.filled_qty = str(cum);
    order.filled_avg_price = str(avg);
    const done = cum >= num(order.qty);
    order.status = done ? 'filled' : 'partially_filled';
    const now = new Date().toISOString();
    order.updated_at = now;
    if (done) order.filled_at = now;
    const signed = order.side === 'buy' ? qty : -qty;
    const book = this.positions.get(order.account) ?? new Map<string, { qty: number; cost: number }>();
    this.positions.set(order.account, book);
    const position = book.get(order.symbol) ?? { qty: 0, cost: 0 };
    const qtyAfter = position.qty + signed;
    if (position.qty === 0 || Math.sign(signed) === Math.sign(position.qty)) position.cost += signed * price;
    else if (Math.abs(signed) <= Math.abs(position.qty)) position.cost *= qtyAfter / position.qty;
    else position.cost = qtyAfter * price;
    position.qty = qtyAfter;
    book.set(order.symbol, position);
    const account = this.accounts.find((a) => a.accountNumber === order.account)!;
    account.cash = Math.round((account.cash - signed * price) * 100) / 100;
    const fill: FakeFill = {
      account: order.account,
      id: `${now.replace(/\D/g, '')}::${randomUUID()}`,
      activity_type: 'FILL',
      transaction_time: now,
      type: done ? 'fill' : 'partial_fill',
      price: str(price),
      qty: str(qty),
      side: order.side,
      symbol: order.symbol,
      order_id: order.id,
      cum_qty: order.filled_qty,
      leaves_qty: str(num(order.qty) - cum),
      order_status: order.status,
    };
    this.fills.push(fill);
    this.emit(order.account, {
      event: done ? 'fill' : 'partial_fill',
      execution_id: randomUUID(),
      price: fill.price,
      qty: fill.qty,
      position_qty: str(qtyAfter),
      timestamp: now,
      order: this.view(order),
    });
  }

  /** Ends an open order (`canceled`, `expired`, `rejected`) and says so on the stream. */
  end(order: FakeOrder, status: 'canceled' | 'expired' | 'rejected'): void {
    order.status = status;
    order.updated_at = new Date().toISOString();
    this.emit(order.account, { event: status, timestamp: order.updated_at, order: this.view(order) });
  }

  positionsOf(account: string): Record<string, string>[] {
    return [...(this.positions.get(account) ?? new Map<string, { qty: number; cost: number }>())]
      .filter(([, p]) => p.qty !== 0)
      .map(([symbol, p]) => {
        const avg = p.cost / p.qty;
        const mark = this.quotes.get(symbol);
        const last = mark ? (mark.bid + mark.ask) / 2 : avg;
        return {
          symbol,
          asset_class: 'us_equity',
          qty: str(p.qty),
          side: p.qty > 0 ? 'long' : 'short',
          avg_entry_price: str(avg),
          market_value: str(p.qty * last),
          unrealized_pl: str(p.qty * (last - avg)),
        };
      });
  }
}
