import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { type Observable, combineLatest, debounceTime, distinctUntilChanged, filter, forkJoin, map, of, startWith, switchMap } from 'rxjs';
import {
  ApiService,
  describeError,
  type Account,
  type FlattenResult,
  type KillSwitchState,
  type Order,
  type Position,
  showingErrorIn,
} from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';
import { Money } from '../shared/money';
import {
  bracketPreview,
  lateRefusal,
  openPnl,
  orderRequest,
  positionText,
  spreadTicks,
  type BracketPreview,
  type OrderForm,
  type TraderQuote,
} from './trader-math';

const TICKER_DEBOUNCE_MS = 300;
const DEFAULT_TICKER = 'NQ1!';
const isWorking = (o: { status: Order['status'] }) => o.status === 'working' || o.status === 'pending';

/**
 * Trading by hand: a ticker's live bid and ask, an order ticket with brackets, the position in
 * that ticker on an account with its open P&L (Flatten, Reverse), and the account's working
 * orders. Every order takes the same path as a strategy's (risk limits, the ledger, the log); one
 * the server refuses says why, here, in words.
 */
@Component({
  selector: 'tl-trader-page',
  imports: [FormsModule, Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Manual Trader</h1>
    </div>
    @if (killSwitch()?.engaged) {
      <p class="error" role="alert" data-testid="trader-kill-switch">
        <strong>The kill switch is engaged</strong> ({{ killSwitch()?.reason }}): only orders that reduce a position pass. Release it in
        Settings.
      </p>
    }
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="trader-error">{{ message }}</p>
    }
    @if (notice(); as message) {
      <p class="panel good" role="status" data-testid="trader-notice">{{ message }}</p>
    }

    <div class="trader">
      <form class="panel form-grid" data-testid="order-ticket">
        <label
          >Ticker
          <input
            name="ticker"
            [(ngModel)]="tickerText"
            list="trader-tickers"
            autocomplete="off"
            autocapitalize="characters"
            maxlength="64"
            placeholder="NQ1!, ES1!, AAPL…"
            data-testid="trader-ticker"
          />
          <datalist id="trader-tickers">
            @for (t of knownTickers(); track t) {
              <option [value]="t"></option>
            }
          </datalist>
        </label>
        <label
          >Account
          <select name="account" [(ngModel)]="accountId" data-testid="trader-account">
            @for (a of accounts(); track a.id) {
              <option [value]="a.id">{{ a.name }} ({{ a.broker }})</option>
            }
          </select>
        </label>

        <div class="wide quote-strip" data-testid="trader-quote" [attr.data-ticker]="ticker()">
          <span class="quote-item"
            ><span class="label">Bid</span> <span class="mono quote-price" data-testid="trader-bid">{{ price(quote()?.bid) }}</span></span
          >
          <span class="quote-item"
            ><span class="label">Ask</span> <span class="mono quote-price" data-testid="trader-ask">{{ price(quote()?.ask) }}</span></span
          >
          <span class="quote-item"
            ><span class="label">Spread</span> <span class="mono" data-testid="trader-spread">{{ spreadText() }}</span></span
          >
          <span class="muted small-text">
            @if (quote(); as q) {
              {{ ticker() }} · tick {{ q.step }} = {{ '$' + q.tickValue }} · {{ zone.short(q.time) }}
            } @else {
              No quote for {{ ticker() || 'this ticker' }} yet: asked the feeds to quote it.
            }
          </span>
        </div>

        <label
          >Quantity
          <input name="quantity" type="number" min="0" step="any" [(ngModel)]="quantity" data-testid="trader-quantity" />
        </label>
        <label
          >Order type
          <select name="type" [(ngModel)]="orderType" data-testid="trader-type">
            <option value="market">Market</option>
            <option value="limit">Limit</option>
            <option value="stop">Stop</option>
          </select>
        </label>
        @if (orderType() !== 'market') {
          <label
            >{{ orderType() === 'limit' ? 'Limit price' : 'Stop price' }}
            <input
              name="price"
              type="number"
              min="0"
              [step]="quote()?.step ?? 'any'"
              [(ngModel)]="limitOrStopPrice"
              data-testid="trader-price"
            />
          </label>
        }
        <label
          >Take profit (ticks)
          <input name="tp" type="number" min="1" step="1" [(ngModel)]="takeProfitTicks" placeholder="none" data-testid="trader-tp" />
        </label>
        <label
          >Stop loss (ticks)
          <input name="sl" type="number" min="1" step="1" [(ngModel)]="stopLossTicks" placeholder="none" data-testid="trader-sl" />
        </label>
        @if (bracketText(); as text) {
          <p class="wide muted small-text" data-testid="bracket-preview">{{ text }}</p>
        }
        <div class="actions wide">
          <button type="button" class="buy" [disabled]="busy()" (click)="place('buy')" data-testid="trader-buy">Buy</button>
          <button type="button" class="sell" [disabled]="busy()" (click)="place('sell')" data-testid="trader-sell">Sell</button>
        </div>
      </form>

      <section class="panel" data-testid="trader-position-panel">
        <span class="label">Position in {{ ticker() || '—' }} on {{ accountName() }}</span>
        <div class="position-line">
          <span class="value mono" data-testid="trader-position">{{ netText() }}</span>
          <span class="value" data-testid="trader-open-pnl"><tl-money [value]="totalOpenPnl()" /></span>
        </div>
        <table>
          <tbody>
            @for (row of positionRows(); track row.position.id) {
              <tr data-testid="position-row">
                <td>{{ row.owner }}</td>
                <td class="mono">{{ positionText(row.position.quantity) }} @ {{ price(row.position.avgPrice) }}</td>
                <td class="num"><tl-money [value]="row.openPnl" /></td>
              </tr>
            } @empty {
              <tr>
                <td class="muted">Nothing held in this ticker on this account.</td>
              </tr>
            }
          </tbody>
        </table>
        <div class="actions">
          <button
            type="button"
            class="danger"
            [disabled]="busy()"
            (click)="flatten()"
            title="Cancel the working orders in this ticker on this account and close every position in it (strategies' included)"
            data-testid="trader-flatten"
          >
            Flatten
          </button>
          <button
            type="button"
            [disabled]="busy() || !manualQuantity()"
            (click)="reverse()"
            title="Turn the manual position around: one market order for twice its size"
            data-testid="trader-reverse"
          >
            Reverse
          </button>
        </div>
      </section>
    </div>

    <h2>Working orders on {{ accountName() }}</h2>
    <div class="scroll">
      <table data-testid="trader-working-orders">
        <thead>
          <tr>
            <th>Order</th>
            <th>Status</th>
            <th>Since</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (o of orders(); track o.id) {
            <tr data-testid="trader-working-order" [attr.data-order]="o.id">
              <td class="mono">{{ o.side }} {{ o.quantity }} {{ o.ticker }} {{ o.type }} {{ orderPrice(o) }}</td>
              <td>
                <span class="badge warn">{{ o.status }}</span>
                @if (o.strategyId) {
                  <span class="muted small-text"> {{ ownerName(o.strategyId) }}</span>
                }
              </td>
              <td class="muted mono nowrap" [title]="zone.format(o.createdAt)">{{ zone.short(o.createdAt) }}</td>
              <td>
                <button type="button" class="small danger" [disabled]="busy()" (click)="cancel(o)" data-testid="cancel-order">
                  Cancel
                </button>
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="4" class="muted">No working orders.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class TraderPage {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly positionText = positionText;

  // The ticket, as typed.
  protected readonly tickerText = signal(DEFAULT_TICKER);
  protected readonly accountId = signal('');
  protected readonly quantity = signal<number | null>(1);
  protected readonly orderType = signal<OrderForm['type']>('market');
  protected readonly limitOrStopPrice = signal<number | null>(null);
  protected readonly takeProfitTicks = signal<number | null>(null);
  protected readonly stopLossTicks = signal<number | null>(null);

  protected readonly accounts = signal<Account[]>([]);
  protected readonly knownTickers = signal<string[]>([]);
  private readonly strategyNames = signal(new Map<string, string>());
  private readonly quotes = signal(new Map<string, TraderQuote>());
  private readonly positions = signal<Position[]>([]);
  protected readonly orders = signal<Order[]>([]);
  protected readonly killSwitch = signal<KillSwitchState | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly busy = signal(false);

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
  protected readonly ticker = computed(() => this.canonical() ?? this.requested());

  protected readonly quote = computed(() => this.quotes().get(this.ticker()) ?? null);
  protected readonly spreadText = computed(() => {
    const q = this.quote();
    const ticks = spreadTicks(q);
    return q && ticks !== null ? `${formatPrice(q.ask - q.bid, q.step)} (${ticks} tick${ticks === 1 ? '' : 's'})` : '—';
  });
  protected readonly accountName = computed(() => this.accounts().find((a) => a.id === this.accountId())?.name ?? '—');

  protected readonly positionRows = computed(() =>
    this.positions()
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
  protected readonly netText = computed(() => {
    const net = this.positionRows().reduce((sum, r) => sum + r.position.quantity, 0);
    return positionText(Math.round(net * 1e8) / 1e8);
  });
  protected readonly totalOpenPnl = computed(() => {
    const rows = this.positionRows();
    if (rows.some((r) => r.openPnl === null)) return null;
    return rows.reduce((sum, r) => sum + (r.openPnl ?? 0), 0);
  });
  /** The position Reverse turns around: the account's own, with no strategy. */
  protected readonly manualQuantity = computed(
    () => this.positionRows().find((r) => r.position.strategyId === null)?.position.quantity ?? 0,
  );
  protected readonly bracketText = computed(() => {
    const q = this.quote();
    const tp = this.takeProfitTicks();
    const sl = this.stopLossTicks();
    if (!q || (!tp && !sl)) return null;
    const order = { type: this.orderType(), price: this.limitOrStopPrice() };
    const describe = (b: BracketPreview) =>
      [b.takeProfit !== null ? `take profit ${this.price(b.takeProfit)}` : '', b.stopLoss !== null ? `stop ${this.price(b.stopLoss)}` : '']
        .filter(Boolean)
        .join(', ');
    const buy = bracketPreview('buy', order, q, tp, sl);
    const sell = bracketPreview('sell', order, q, tp, sl);
    const from = buy.from === 'fill' ? "from the fill price; at today's prices" : `from the ${order.type} price`;
    return `Bracket once filled (${from}): a buy gets ${describe(buy)}; a sell gets ${describe(sell)}.`;
  });

  /** What this page keeps quoted while it is open: the ticker shown and those of the working orders listed. */
  private readonly watched = computed(() => [...new Set([this.requested(), ...this.orders().map((o) => o.ticker)].filter(Boolean))]);

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.live.start();
    destroyRef.onDestroy(() => this.live.watch(null));
    effect(() => {
      const tickers = this.watched();
      this.live.watch(tickers);
    });
    // A new ticker: its spelling is the server's to say again.
    effect(() => {
      this.requested();
      this.canonical.set(null);
    });

    const reconnects = this.live.reconnected$.pipe(startWith(undefined));
    reconnects
      .pipe(
        switchMap(() =>
          forkJoin({
            accounts: this.api.accounts(),
            quotes: this.api.quotes(),
            instruments: this.api.instruments(),
            strategies: this.api.strategies(),
            killSwitch: this.api.killSwitch(),
          }).pipe(showingErrorIn(this.error)),
        ),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((state) => {
        if (!state) return;
        this.accounts.set(state.accounts);
        if (!state.accounts.some((a) => a.id === this.accountId())) this.accountId.set(state.accounts[0]?.id ?? '');
        this.quotes.update((known) => {
          const next = new Map(known);
          for (const q of state.quotes) {
            if (!next.has(q.ticker)) {
              next.set(q.ticker, {
                ticker: q.ticker,
                bid: q.bid,
                ask: q.ask,
                step: q.step,
                tickValue: q.tickValue,
                time: Date.parse(q.time),
              });
            }
          }
          return next;
        });
        this.knownTickers.set(
          [...new Set([...state.quotes.map((q) => q.ticker), ...state.instruments.map((i) => i.ticker)])].sort((a, b) =>
            a.localeCompare(b),
          ),
        );
        this.strategyNames.set(new Map(state.strategies.map((s) => [s.id, s.name])));
        this.killSwitch.set(state.killSwitch);
      });

    // The account's positions and working orders: when the account or the ticker changes (the
    // socket only tells about watched tickers), and after a reconnect.
    combineLatest([toObservable(this.accountId), toObservable(this.requested), reconnects])
      .pipe(
        filter(([accountId]) => !!accountId),
        switchMap(([accountId]) =>
          forkJoin({
            positions: this.api.positions({ accountId }),
            orders: this.api.orders({ accountId, status: 'working', limit: 200 }),
          }).pipe(showingErrorIn(this.error)),
        ),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((state) => {
        if (!state) return;
        this.positions.set(state.positions);
        this.orders.set(state.orders.items);
      });

    this.live
      .on('SUBSCRIBED')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((s) => {
        if (s.watching?.length) this.canonical.set(s.watching[0]);
      });
    this.live
      .on('ERROR')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((e) => this.error.set(`The live stream refused: ${e.message}`));
    this.live
      .on('DATA')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((d) =>
        this.quotes.update((known) =>
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
    this.live
      .on('POSITION')
      .pipe(
        filter((p) => p.accountId === this.accountId()),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((p) =>
        this.positions.update((list) => {
          const same = (x: Position) => x.strategyId === p.strategyId && x.ticker === p.ticker;
          const previous = list.find(same);
          return [
            ...list.filter((x) => !same(x)),
            {
              id: previous?.id ?? `${p.accountId}|${p.strategyId}|${p.ticker}`,
              accountId: p.accountId,
              strategyId: p.strategyId,
              ticker: p.ticker,
              quantity: p.quantity,
              side: p.quantity > 0 ? 'long' : p.quantity < 0 ? 'short' : 'flat',
              avgPrice: p.avgPrice,
              markPrice: null,
              openPnl: previous?.openPnl ?? null,
              realizedPnl: p.realizedPnl,
              updatedAt: new Date(p.time).toISOString(),
            },
          ];
        }),
      );
    this.live
      .on('ORDER')
      .pipe(
        filter((o) => o.accountId === this.accountId()),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((o) => {
        const refused = lateRefusal(
          this.orders().some((x) => x.id === o.id),
          o,
        );
        if (refused) this.show({ error: refused });
        this.orders.update((list) => {
          const previous = list.find((x) => x.id === o.id);
          const others = list.filter((x) => x.id !== o.id);
          if (!isWorking(o)) return others;
          return [
            {
              ...o,
              limitPrice: previous?.limitPrice ?? null,
              stopPrice: previous?.stopPrice ?? null,
              createdAt: previous?.createdAt ?? new Date(o.time).toISOString(),
              updatedAt: new Date(o.time).toISOString(),
            },
            ...others,
          ];
        });
      });
  }

  protected place(side: 'buy' | 'sell'): void {
    const request = orderRequest(
      {
        accountId: this.accountId(),
        ticker: this.tickerText(),
        quantity: this.quantity(),
        type: this.orderType(),
        price: this.limitOrStopPrice(),
        takeProfitTicks: this.takeProfitTicks(),
        stopLossTicks: this.stopLossTicks(),
      },
      side,
    );
    if ('problem' in request) {
      this.show({ error: request.problem });
      return;
    }
    this.run(this.api.placeOrder(request.order), (order) => {
      this.track(order);
      return this.outcome(`${order.side === 'buy' ? 'Buy' : 'Sell'} ${order.quantity} ${order.ticker} ${order.type}`, order);
    });
  }

  protected flatten(): void {
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

  protected reverse(): void {
    const ticker = this.ticker();
    this.run(this.api.reverse({ accountId: this.accountId(), ticker }), (order) => {
      this.track(order);
      return this.outcome(`Reverse ${ticker}`, order);
    });
  }

  protected cancel(order: Order): void {
    this.run(this.api.cancelOrder(order.id), (cancelled) => {
      this.track(cancelled);
      return { notice: `Cancelled ${order.side} ${order.quantity} ${order.ticker} ${order.type}.` };
    });
  }

  protected price(value: number | null | undefined): string {
    return formatPrice(value, this.quote()?.step ?? 0.01);
  }

  protected orderPrice(o: Order): string {
    if (o.type === 'limit') return `@ ${formatPrice(o.limitPrice, this.quotes().get(o.ticker)?.step)}`;
    if (o.type === 'stop') return `stop ${formatPrice(o.stopPrice, this.quotes().get(o.ticker)?.step)}`;
    return '';
  }

  protected ownerName(strategyId: string): string {
    return this.strategyNames().get(strategyId) ?? 'a strategy’s copy';
  }

  /** One request at a time (a double click never sends two orders); its outcome in words, its failure too. */
  private run<T>(call: Observable<T>, outcome: (value: T) => { notice?: string; error?: string }): void {
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
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

  private show(message: { notice?: string; error?: string }): void {
    this.error.set(message.error ?? null);
    this.notice.set(message.notice ?? null);
  }

  private outcome(what: string, order: Order): { notice?: string; error?: string } {
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

  private refusal(order: Order): string {
    return `${order.side} ${order.quantity} ${order.ticker}: ${order.reason ?? 'no reason given'}`;
  }

  /** An order as the server answered it: listed while it works, gone once done (the ORDER push may come first or not at all). */
  private track(order: Order): void {
    if (order.accountId !== this.accountId()) return;
    this.orders.update((list) => {
      const others = list.filter((x) => x.id !== order.id);
      return isWorking(order) ? [order, ...others] : others;
    });
  }
}
