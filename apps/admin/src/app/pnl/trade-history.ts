import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Subject, filter, map, merge, of, switchMap, tap } from 'rxjs';
import { ApiService, valueOrError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { tradeInScope } from './live-pnl';
import { tradeRow, withLiveTrade, type TradeRow } from './trade-row';
import { TradesTable } from './trades-table';

const PAGE = 50;
const MAX_ROWS = 1000;

/** The trade history, newest first: loaded once, then each `TRADE` appears on top as it closes. */
@Component({
  selector: 'tl-trade-history',
  imports: [TradesTable],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Trade history</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (trades(); as rows) {
      <tl-trades-table
        [trades]="rows"
        [names]="names()"
        [showStrategy]="!strategyId()"
        empty="No closed trades yet: a round trip appears here the moment it closes."
        testId="trade-history"
      />
      @if (total() > rows.length) {
        <button type="button" class="small more" (click)="more()" data-testid="trades-more">
          Show {{ nextPage() }} more of {{ total() - rows.length }}
        </button>
      }
    } @else {
      <p class="muted">Loading trades…</p>
    }
  `,
})
export class TradeHistory {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  /** One strategy; every strategy's trades (and manual ones) when absent. */
  readonly strategyId = input<string>();
  /** Strategy names by id. */
  readonly names = input<Record<string, string>>({});
  protected readonly trades = signal<TradeRow[] | null>(null);
  protected readonly total = signal(0);
  protected readonly error = signal<string | null>(null);
  private readonly limit = signal(PAGE);
  private readonly load = new Subject<void>();
  protected readonly nextPage = computed(() => Math.min(PAGE, this.total() - (this.trades()?.length ?? 0)));

  constructor() {
    const destroyRef = inject(DestroyRef);
    merge(
      toObservable(this.strategyId).pipe(
        tap(() => {
          this.trades.set(null);
          this.limit.set(PAGE);
        }),
      ),
      this.load,
      this.live.reconnected$,
    )
      .pipe(
        switchMap(() => this.api.trades({ strategyId: this.strategyId(), limit: this.limit() }).pipe(valueOrError())),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(({ value, error }) => {
        this.error.set(error);
        if (!value) return;
        this.trades.set(value.items.map(tradeRow));
        this.total.set(value.total);
      });

    this.live
      .on('TRADE')
      .pipe(
        // The history lists manual trades too; a strategy's page only its own.
        filter((t) => !this.strategyId() || tradeInScope(t, { strategyId: this.strategyId() })),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((t) => {
        const rows = this.trades();
        if (!rows) return;
        const next = withLiveTrade(rows, tradeRow(t), Math.min(MAX_ROWS, Math.max(this.limit(), rows.length + 1)));
        if (next !== rows) this.total.update((n) => n + 1);
        this.trades.set(next);
      });
  }

  protected more(): void {
    this.limit.update((n) => Math.min(MAX_ROWS, n + PAGE));
    this.load.next();
  }
}
