import { DestroyRef, Injectable, computed, effect, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import type { FlattenResult, OrderData, OrderView, QuoteView } from '@tradeloop/contracts';
import { type Observable, debounceTime, distinctUntilChanged, forkJoin, map } from 'rxjs';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { LiveService } from '../core/live.service';
import { formatPrice } from '../shared/format';
import { type WorkingOrder, isWorking, withOrderUpdate, withPositionUpdate } from '../shared/live-book';
import { liveStrategyList } from '../strategies/live-strategy-list';
import { lateRefusal, openPnl, orderRequest, positionText, type OrderForm, type TraderQuote } from './trader-math';

const TICKER_DEBOUNCE_MS = 300;
const DEFAULT_TICKER = 'NQ1!';

/** What a request ended in, for the page to say. */
export interface Outcome {
  notice?: string;
  error?: string;
}

const fromRest = (q: QuoteView): TraderQuote => ({
  ticker: q.ticker,
  bid: q.bid,
  ask: q.ask,
  step: q.step,
  tickValue: q.tickValue,
  time: Date.parse(q.time),
});

/**
 * The Manual Trader's state and actions, shared by its parts (the ticket, the position, the
 * working orders): the ticker and account chosen, their quotes, positions and working orders —
 * loaded over REST, moved by `/ws`, loaded again after a reconnect — and one request at a time
 * with its outcome in words. One per page.
 */
@Injectable()
export class TraderDesk {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);

  /** The ticker as typed, and the account chosen. */
  readonly tickerText = signal(DEFAULT_TICKER);
  readonly accountId = signal('');
  /** The ticker as typed, once typing pauses. */
  private readonly requested = toSignal(
    toObservable(this.tickerText).pipe(
      debounceTime(TICKER_DEBOUNCE_MS),
      map((t) => t.trim().toUpperCase()),
      distinctUntilChanged(),
    ),
    { initialValue: DEFAULT_TICKER },
  );
  /** How the server spells the requested ticker (`nq` → `NQ1!`), from its answer to our WATCH. */
  private readonly canonical = signal<string | null>(null);
  readonly ticker = computed(() => this.canonical() ?? this.requested());

  private readonly reference = liveState({
    load: () =>
      forkJoin({
        accounts: this.api.accounts(),
        quotes: this.api.quotes(),
        instruments: this.api.instruments(),
        killSwitch: this.api.killSwitch(),
      }),
    onLoad: ({ accounts }) => {
      if (!accounts.some((a) => a.id === this.accountId())) this.accountId.set(accounts[0]?.id ?? '');
    },
  });
  private readonly strategies = liveStrategyList();
  /** The account's positions and working orders, for the ticker asked for (the socket only tells about watched tickers). */
  private readonly book = liveState({
    params: () => ({ accountId: this.accountId(), ticker: this.requested() }),
    load: ({ accountId }) =>
      accountId
        ? forkJoin({
            positions: this.api.positions({ accountId }),
            orders: this.api.orders({ accountId, status: 'working', limit: 200 }).pipe(map((page): WorkingOrder[] => page.items)),
          })
        : null,
    deltas: {
      POSITION: (book, p) => (p.accountId !== this.accountId() ? book : { ...book, positions: withPositionUpdate(book.positions, p) }),
      ORDER: (book, o) => {
        if (o.accountId !== this.accountId()) return book;
        this.sayLateRefusal(book.orders, o);
        return { ...book, orders: withOrderUpdate(book.orders, o) };
      },
    },
  });
  /** Quotes as they arrive here; they win over the REST snapshot. */
  private readonly liveQuotes = signal(new Map<string, TraderQuote>());

  readonly accounts = computed(() => this.reference.value()?.accounts ?? []);
  readonly killSwitch = computed(() => this.reference.value()?.killSwitch ?? null);
  readonly orders = computed(() => this.book.value()?.orders ?? []);
  private readonly quotes = computed(() => {
    const rest = (this.reference.value()?.quotes ?? []).map((q): [string, TraderQuote] => [q.ticker, fromRest(q)]);
    return new Map([...rest, ...this.liveQuotes()]);
  });
  readonly knownTickers = computed(() => {
    const reference = this.reference.value();
    if (!reference) return [];
    return [...new Set([...reference.quotes.map((q) => q.ticker), ...reference.instruments.map((i) => i.ticker)])].sort((a, b) =>
      a.localeCompare(b),
    );
  });
  readonly quote = computed(() => this.quotes().get(this.ticker()) ?? null);
  readonly accountName = computed(() => this.accounts().find((a) => a.id === this.accountId())?.name ?? '—');

  /** Every position in the ticker on the account (the manual one and strategies'), marked at the live quote. */
  readonly positionRows = computed(() =>
    (this.book.value()?.positions ?? [])
      .filter((p) => p.ticker === this.ticker() && p.quantity !== 0)
      .map((position) => {
        const q = this.quote();
        return {
          position,
          owner: position.strategyId ? this.ownerName(position.strategyId) : 'Manual',
          openPnl: q ? openPnl(position.quantity, position.avgPrice, q) : position.openPnl,
        };
      }),
  );
  readonly netText = computed(() => {
    const net = this.positionRows().reduce((sum, r) => sum + r.position.quantity, 0);
    return positionText(Math.round(net * 1e8) / 1e8);
  });
  readonly totalOpenPnl = computed(() => {
    const rows = this.positionRows();
    if (rows.some((r) => r.openPnl === null)) return null;
    return rows.reduce((sum, r) => sum + (r.openPnl ?? 0), 0);
  });
  /** The position Reverse turns around: the account's own, with no strategy. */
  readonly manualQuantity = computed(() => this.positionRows().find((r) => r.position.strategyId === null)?.position.quantity ?? 0);

  private readonly failure = signal<string | null>(null);
  /** The last request's refusal, else why a load failed. */
  readonly error = computed(() => this.failure() ?? this.reference.error() ?? this.book.error() ?? this.strategies.error());
  readonly notice = signal<string | null>(null);
  readonly busy = signal(false);

  /** What this page keeps quoted while it is open: the ticker shown and those of the working orders listed. */
  private readonly watched = computed(() => [...new Set([this.requested(), ...this.orders().map((o) => o.ticker)].filter(Boolean))]);

  constructor() {
    this.live.start();
    inject(DestroyRef).onDestroy(() => this.live.watch(null));
    effect(() => this.live.watch(this.watched()));
    // A new ticker: its spelling is the server's to say again.
    effect(() => {
      this.requested();
      this.canonical.set(null);
    });
    this.live
      .on('SUBSCRIBED')
      .pipe(takeUntilDestroyed())
      .subscribe((s) => {
        if (s.watching?.length) this.canonical.set(s.watching[0]);
      });
    this.live
      .on('ERROR')
      .pipe(takeUntilDestroyed())
      .subscribe((e) => this.failure.set(`The live stream refused: ${e.message}`));
    this.live
      .on('DATA')
      .pipe(takeUntilDestroyed())
      .subscribe((d) =>
        this.liveQuotes.update((known) =>
          new Map(known).set(d.ticker, {
            ticker: d.ticker,
            bid: d.prices.bid,
            ask: d.prices.ask,
            step: d.tickinfo.step,
            tickValue: d.tickinfo.amnt,
            time: Date.now(),
          }),
        ),
      );
  }

  /** A click on Buy or Sell with the ticket as typed. */
  place(form: Omit<OrderForm, 'accountId' | 'ticker'>, side: 'buy' | 'sell'): void {
    const request = orderRequest({ ...form, accountId: this.accountId(), ticker: this.tickerText() }, side);
    if ('problem' in request) {
      this.show({ error: request.problem });
      return;
    }
    this.run(this.api.placeOrder(request.order), (order) => {
      this.track(order);
      return this.outcome(`${order.side === 'buy' ? 'Buy' : 'Sell'} ${order.quantity} ${order.ticker} ${order.type}`, order);
    });
  }

  flatten(): void {
    const ticker = this.ticker();
    const account = this.accountName();
    this.run(this.api.flatten({ accountId: this.accountId(), ticker }), (result: FlattenResult) => {
      for (const order of result.orders) this.track(order);
      const refused = result.orders.filter((o) => o.status === 'rejected');
      if (refused.length) return { error: `Flatten: the server refused ${refused.map((o) => this.refusal(o)).join('; ')}` };
      if (!result.orders.length && !result.cancelled) return { notice: `Nothing to flatten in ${ticker} on ${account}.` };
      return {
        notice: `Flattened ${ticker} on ${account}: ${result.orders.length} position${result.orders.length === 1 ? '' : 's'} closed, ${result.cancelled} working order${result.cancelled === 1 ? '' : 's'} cancelled.`,
      };
    });
  }

  reverse(): void {
    const ticker = this.ticker();
    this.run(this.api.reverse({ accountId: this.accountId(), ticker }), (order) => {
      this.track(order);
      return this.outcome(`Reverse ${ticker}`, order);
    });
  }

  cancel(order: WorkingOrder): void {
    this.run(this.api.cancelOrder(order.id), (cancelled) => {
      this.track(cancelled);
      return { notice: `Cancelled ${order.side} ${order.quantity} ${order.ticker} ${order.type}.` };
    });
  }

  /** A price on the ticker's grid (its tick size), or a cent's for a ticker not quoted yet. */
  price(value: number | null | undefined, ticker = this.ticker()): string {
    return formatPrice(value, this.quotes().get(ticker)?.step ?? 0.01);
  }

  ownerName(strategyId: string): string {
    return this.strategies.value()?.find((s) => s.id === strategyId)?.name ?? 'a strategy’s copy';
  }

  show(message: Outcome): void {
    this.failure.set(message.error ?? null);
    this.notice.set(message.notice ?? null);
  }

  /** One request at a time (a double click never sends two orders); its outcome in words, its failure too. */
  private run<T>(call: Observable<T>, outcome: (value: T) => Outcome): void {
    this.busy.set(true);
    this.show({});
    call.subscribe({
      next: (value) => {
        this.busy.set(false);
        this.show(outcome(value));
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.show({ error: describeError(e) });
      },
    });
  }

  private outcome(what: string, order: OrderView): Outcome {
    switch (order.status) {
      case 'rejected':
        return { error: `${what}: refused. ${this.refusal(order)}` };
      case 'filled':
        return {
          notice: `${what}: filled ${order.filledQuantity} at ${formatPrice(order.avgFillPrice, this.quotes().get(order.ticker)?.step)}.`,
        };
      case 'cancelled':
        return { notice: `${what}: cancelled${order.reason ? ` (${order.reason})` : ''}.` };
      case 'pending':
      case 'working':
        return { notice: `${what}: ${order.status}.` };
    }
  }

  private refusal(order: Pick<OrderView, 'side' | 'quantity' | 'ticker' | 'reason'>): string {
    return `${order.side} ${order.quantity} ${order.ticker}: ${order.reason ?? 'no reason given'}`;
  }

  /** A listed working order refused after it was acknowledged (a broker's risk check) is said at once. */
  private sayLateRefusal(listed: readonly WorkingOrder[], o: OrderData): void {
    const refused = lateRefusal(
      listed.some((x) => x.id === o.id),
      o,
    );
    if (refused) this.show({ error: refused });
  }

  /** An order as the server answered it: listed while it works, gone once done (the ORDER push may come first or not at all). */
  private track(order: OrderView): void {
    if (order.accountId !== this.accountId()) return;
    this.book.update((book) => {
      const others = book.orders.filter((x) => x.id !== order.id);
      return { ...book, orders: isWorking(order) ? [order, ...others] : others };
    });
  }
}
