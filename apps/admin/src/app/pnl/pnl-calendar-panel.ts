import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal, signal } from '@angular/core';
import { debounceTime, filter, map } from 'rxjs';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { tradeInScope } from './live-pnl';
import { PnlCalendar } from './pnl-calendar';
import { tradeRow } from './trade-row';
import { TradesTable } from './trades-table';
import { dayTradesQuery } from './trading-window';

const RELOAD_DEBOUNCE_MS = 300;
const DAY_TRADES_LIMIT = 1000;

/**
 * The P&L calendar of every strategy together or of one: previous and next month, and a click on a
 * day lists the trades closed that trading day (its window computed in the trading zone with the
 * day start). A live trade reloads the month and the day shown.
 */
@Component({
  selector: 'tl-pnl-calendar-panel',
  imports: [PnlCalendar, TradesTable],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Calendar</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (month(); as m) {
      <div class="panel">
        <tl-pnl-calendar
          [month]="m"
          [data]="data()"
          [selected]="selected()"
          (monthChange)="showMonth($event)"
          (daySelect)="select($event)"
        />
      </div>
    } @else {
      <div class="panel"><p class="muted">Loading the calendar…</p></div>
    }
    @if (selected(); as day) {
      <h2 data-testid="day-trades-title">Trades closed on {{ day }}</h2>
      @if (dayError(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
      @if (dayTrades(); as trades) {
        <tl-trades-table [trades]="trades" [names]="names()" [showStrategy]="!strategyId()" testId="day-trades" />
      } @else {
        <p class="muted">Loading the day's trades…</p>
      }
    }
  `,
})
export class PnlCalendarPanel {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  private readonly zone = inject(TimeZoneService);
  /** One strategy; every strategy together when absent. */
  readonly strategyId = input<string>();
  /** Strategy names by id, for the day's trades. */
  readonly names = input<Record<string, string>>({});
  private readonly scope = computed(() => ({ strategyId: this.strategyId() }));
  /** A live trade in scope: the month and the day shown change (a burst costs one reload). */
  private readonly liveTrade$ = this.live.on('TRADE').pipe(
    filter((t) => tradeInScope(t, this.scope())),
    debounceTime(RELOAD_DEBOUNCE_MS),
  );
  /** `YYYY-MM` the trader went to; null: the current trading month, which the server says. */
  private readonly requested = signal<string | null>(null);
  private readonly calendar = liveState({
    params: () => ({ scope: this.scope(), month: this.requested() }),
    load: ({ scope, month }) => this.api.pnlCalendar(month, scope),
    clearWhen: (before, after) => before.scope !== after.scope,
    onLoad: (calendar) => this.zone.adopt(calendar),
    reloadOn: this.liveTrade$,
  });
  /** The day whose trades are listed; none again for another strategy. */
  protected readonly selected = linkedSignal<string | undefined, string | null>({ source: this.strategyId, computation: () => null });
  private readonly day = liveState({
    params: () => ({ scope: this.scope(), day: this.selected() }),
    // The day's window in the trading zone with the day start, as the calendar counts it.
    load: ({ scope, day }) =>
      day === null
        ? null
        : this.api
            .trades({ ...scope, ...dayTradesQuery(day, this.zone.clock()), limit: DAY_TRADES_LIMIT })
            .pipe(map((page) => page.items.map(tradeRow).filter((t) => tradeInScope(t, scope)))),
    clearWhen: (before, after) => before.day !== after.day || before.scope !== after.scope,
    reloadOn: this.liveTrade$,
  });

  /** `YYYY-MM`; null until the server has said which month is current. */
  protected readonly month = computed(() => this.requested() ?? this.calendar.value()?.month ?? null);
  /** The month shown, once its own answer is in. */
  protected readonly data = computed(() => {
    const calendar = this.calendar.value();
    return calendar && calendar.month === this.month() ? calendar : null;
  });
  protected readonly error = this.calendar.error;
  protected readonly dayTrades = this.day.value;
  protected readonly dayError = this.day.error;

  protected showMonth(month: string): void {
    this.requested.set(month);
  }

  protected select(date: string): void {
    this.selected.set(this.selected() === date ? null : date);
  }
}
