import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { bufferTime, filter, forkJoin, interval, startWith, switchMap } from 'rxjs';
import type { FeedStatus, QuoteView, WatchlistView } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';

/** The watchlist, live quotes and the feeds that deliver them. */
@Component({
  selector: 'tl-market-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Market</h1>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <h2>Watchlist</h2>
    <p class="muted small-text">
      Always quoted, from the first second a client connects, with the default ticker of every enabled strategy.
    </p>
    <ul class="chips" data-testid="watchlist">
      @for (t of watchlist(); track t) {
        <li class="chip mono" data-testid="watchlist-ticker" [attr.data-ticker]="t">
          {{ t }}
          <button
            type="button"
            class="small"
            [disabled]="savingWatchlist()"
            (click)="removeFromWatchlist(t)"
            [attr.aria-label]="'Remove ' + t"
            data-testid="watchlist-remove"
          >
            ×
          </button>
        </li>
      } @empty {
        <li class="muted">Empty: only what strategies, positions, orders and pages watch is quoted.</li>
      }
      @for (t of strategyTickers(); track t) {
        <li class="chip mono muted" title="The default ticker of an enabled strategy">{{ t }} (strategy)</li>
      }
    </ul>
    <form class="inline-form" (submit)="addToWatchlist($event)">
      <input
        name="watchTicker"
        [value]="newTicker()"
        (input)="newTicker.set($any($event.target).value)"
        placeholder="Ticker, e.g. CL1! or CME_MINI:NQ1!"
        maxlength="64"
        data-testid="watchlist-input"
      />
      <button type="submit" [disabled]="savingWatchlist() || !newTicker().trim()" data-testid="watchlist-add">Add</button>
    </form>
    @if (watchlistError(); as message) {
      <p class="error" role="alert" data-testid="watchlist-error">{{ message }}</p>
    }

    <h2>Feeds</h2>
    <table>
      <thead>
        <tr>
          <th>Feed</th>
          <th>Connection</th>
          <th class="num">Last quote</th>
          <th class="num">Reconnects</th>
        </tr>
      </thead>
      <tbody>
        @for (f of feeds(); track f.name) {
          <tr data-testid="feed-row">
            <td class="mono">
              {{ f.name }}
              @if (f.simulated) {
                <span class="badge warn" title="Made-up prices for trying Tradeloop out, not a market's" data-testid="demo-feed"
                  >demo data</span
                >
                @if (f.on === false) {
                  <span class="muted small-text"> switched off in Settings</span>
                }
              }
            </td>
            <td>
              <span class="badge" [class]="f.connected ? 'good' : 'bad'">{{ f.connected ? 'connected' : 'down' }}</span>
              @if (f.error) {
                <span class="muted">{{ f.error }}</span>
              }
            </td>
            <td class="num mono">{{ f.lastQuoteAgeMs === null ? '—' : age(f.lastQuoteAgeMs) }}</td>
            <td class="num mono">{{ f.reconnects }}</td>
          </tr>
        }
      </tbody>
    </table>

    <h2>Quotes</h2>
    <div class="scroll">
      <table data-testid="quotes">
        <thead>
          <tr>
            <th>Ticker</th>
            <th class="num">Bid</th>
            <th class="num">Ask</th>
            <th class="num">Spread</th>
            <th class="num">Step</th>
            <th class="num">Tick value</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          @for (q of quotes(); track q.ticker) {
            <tr data-testid="quote-row" [attr.data-ticker]="q.ticker">
              <td class="mono">
                {{ q.ticker }}
                @if (q.simulated) {
                  <span class="price-source demo" title="The simulated feed: demo data, not a market price" data-testid="demo-quote"
                    >demo</span
                  >
                }
              </td>
              <td class="num mono" data-testid="quote-bid">{{ price(q.bid, q.step) }}</td>
              <td class="num mono" data-testid="quote-ask">{{ price(q.ask, q.step) }}</td>
              <td class="num mono">{{ price(q.ask - q.bid, q.step) }}</td>
              <td class="num mono">{{ q.step }}</td>
              <td class="num mono">{{ q.tickValue }}</td>
              <td class="muted mono">{{ zone.format(q.time) }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="7" class="muted">
                No quotes yet: a ticker is quoted once a strategy, a position, an order or a client watches it.
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class MarketPage {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly zone = inject(TimeZoneService);
  private readonly byTicker = signal(new Map<string, QuoteView>());
  private readonly feedMap = signal(new Map<string, FeedStatus>());
  protected readonly error = signal<string | null>(null);
  protected readonly quotes = computed(() => [...this.byTicker().values()].sort((a, b) => a.ticker.localeCompare(b.ticker)));
  protected readonly feeds = computed(() => [...this.feedMap().values()]);
  protected readonly watchlist = signal<string[]>([]);
  protected readonly strategyTickers = signal<string[]>([]);
  protected readonly newTicker = signal('');
  protected readonly savingWatchlist = signal(false);
  protected readonly watchlistError = signal<string | null>(null);

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.live.start();
    this.live.reconnected$
      .pipe(
        startWith(undefined),
        switchMap(() => forkJoin({ quotes: this.api.quotes(), feeds: this.api.feeds(), watchlist: this.api.watchlist() })),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe({
        next: ({ quotes, feeds, watchlist }) => {
          this.byTicker.set(new Map(quotes.map((q) => [q.ticker, q])));
          this.feedMap.set(new Map(feeds.map((f) => [f.name, f])));
          this.showWatchlist(watchlist);
        },
        error: (error: unknown) => this.error.set(describeError(error)),
      });
    // Quotes arrive many times a second: the table is redrawn at most five times a second.
    this.live
      .on('DATA')
      .pipe(
        bufferTime(200),
        filter((batch) => batch.length > 0),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((batch) =>
        this.byTicker.update((map) => {
          const next = new Map(map);
          const time = new Date().toISOString();
          for (const d of batch) {
            // DATA carries prices only: where a ticker's quotes come from is kept from the listing.
            const known = next.get(d.ticker);
            next.set(d.ticker, {
              ticker: d.ticker,
              bid: d.prices.bid,
              ask: d.prices.ask,
              step: d.tickinfo.step,
              tickValue: d.tickinfo.amnt,
              time,
              subscribed: true,
              feed: known?.feed ?? null,
              simulated: known?.simulated ?? this.onlySimulated(),
            });
          }
          return next;
        }),
      );
    this.live
      .on('FEED')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((f) => this.feedMap.update((map) => new Map(map).set(f.name, f)));
    // Ages move between FEED messages.
    interval(1000)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() =>
        this.feedMap.update(
          (map) =>
            new Map([...map].map(([k, f]) => [k, { ...f, lastQuoteAgeMs: f.lastQuoteAgeMs === null ? null : f.lastQuoteAgeMs + 1000 }])),
        ),
      );
  }

  /** With only the simulated feed running, a ticker first seen on the stream is quoted by it. */
  private onlySimulated(): boolean {
    const running = this.feeds().filter((f) => f.connected && f.on !== false);
    return running.length > 0 && running.every((f) => f.simulated);
  }

  protected addToWatchlist(event: Event): void {
    event.preventDefault();
    const ticker = this.newTicker().trim();
    if (ticker) this.saveWatchlist([...this.watchlist(), ticker], () => this.newTicker.set(''));
  }

  protected removeFromWatchlist(ticker: string): void {
    this.saveWatchlist(this.watchlist().filter((t) => t !== ticker));
  }

  private saveWatchlist(tickers: string[], done?: () => void): void {
    this.savingWatchlist.set(true);
    this.watchlistError.set(null);
    this.api.saveWatchlist(tickers).subscribe({
      next: (view) => {
        this.showWatchlist(view);
        this.savingWatchlist.set(false);
        done?.();
      },
      error: (error: unknown) => {
        this.watchlistError.set(describeError(error));
        this.savingWatchlist.set(false);
      },
    });
  }

  private showWatchlist(view: WatchlistView): void {
    this.watchlist.set(view.tickers);
    this.strategyTickers.set(view.strategyTickers.filter((t) => !view.tickers.includes(t)));
  }

  protected price(value: number, step: number): string {
    return formatPrice(value, step);
  }

  protected age(ms: number): string {
    return ms < 1000 ? `${ms} ms ago` : `${Math.round(ms / 1000)} s ago`;
  }
}
