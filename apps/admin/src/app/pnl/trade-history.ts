import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal } from '@angular/core';
import { map } from 'rxjs';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
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
        [journal]="true"
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
  /** One strategy; every strategy's trades (and manual ones) when absent. */
  readonly strategyId = input<string>();
  /** Strategy names by id. */
  readonly names = input<Record<string, string>>({});
  /** How many rows are asked for: a page more with each "show more", one page again for another strategy. */
  private readonly limit = linkedSignal<string | undefined, number>({ source: this.strategyId, computation: () => PAGE });
  private readonly state = liveState({
    params: () => ({ strategyId: this.strategyId(), limit: this.limit() }),
    load: (query) => this.api.trades(query).pipe(map((page) => ({ rows: page.items.map(tradeRow), total: page.total }))),
    clearWhen: (before, after) => before.strategyId !== after.strategyId,
    deltas: {
      TRADE: (history, t) => {
        // The history lists manual trades too; a strategy's page only its own.
        if (this.strategyId() && !tradeInScope(t, { strategyId: this.strategyId() })) return history;
        const rows = withLiveTrade(history.rows, tradeRow(t), Math.min(MAX_ROWS, Math.max(this.limit(), history.rows.length + 1)));
        return rows === history.rows ? history : { rows, total: history.total + 1 };
      },
    },
  });
  protected readonly trades = computed<TradeRow[] | null>(() => this.state.value()?.rows ?? null);
  protected readonly total = computed(() => this.state.value()?.total ?? 0);
  protected readonly error = this.state.error;
  protected readonly nextPage = computed(() => Math.min(PAGE, this.total() - (this.trades()?.length ?? 0)));

  protected more(): void {
    this.limit.update((n) => Math.min(MAX_ROWS, n + PAGE));
  }
}
