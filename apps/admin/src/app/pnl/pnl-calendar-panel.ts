import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Subject, catchError, debounceTime, filter, map, merge, of, switchMap, tap } from 'rxjs';
import { ApiService, describeError, valueOrError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { tradeInScope } from './live-pnl';
import { PnlCalendar } from './pnl-calendar';
import type { PnlCalendar as CalendarData } from './pnl.types';
import { tradeRow, type TradeRow } from './trade-row';
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
  /** `YYYY-MM`; null until the server has said which month is current. */
  protected readonly month = signal<string | null>(null);
  protected readonly data = signal<CalendarData | null>(null);
  protected readonly selected = signal<string | null>(null);
  protected readonly dayTrades = signal<TradeRow[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly dayError = signal<string | null>(null);
  private readonly loadMonth = new Subject<void>();
  private readonly loadDay = new Subject<void>();
  private readonly scope = computed(() => ({ strategyId: this.strategyId() }));

  constructor() {
    const destroyRef = inject(DestroyRef);
    const liveTrade$ = this.live.on('TRADE').pipe(
      filter((t) => tradeInScope(t, this.scope())),
      debounceTime(RELOAD_DEBOUNCE_MS),
    );
    merge(
      toObservable(this.strategyId).pipe(
        tap(() => {
          this.data.set(null);
          this.selected.set(null);
        }),
      ),
      this.loadMonth,
      this.live.reconnected$,
      liveTrade$,
    )
      .pipe(
        switchMap(() => this.api.pnlCalendar(this.month(), this.scope()).pipe(valueOrError())),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(({ value, error }) => {
        this.error.set(error);
        if (!value) return;
        this.zone.adopt(value);
        // The month asked for may have changed while this one was on its way.
        if (this.month() === null) this.month.set(value.month);
        if (value.month === this.month()) this.data.set(value);
      });

    merge(this.loadDay, this.live.reconnected$, liveTrade$)
      .pipe(
        filter(() => this.selected() !== null),
        switchMap(() => {
          const day = this.selected()!;
          return this.api.trades({ ...this.scope(), ...dayTradesQuery(day, this.zone.clock()), limit: DAY_TRADES_LIMIT }).pipe(
            map((page) => ({ day, value: page.items.map(tradeRow).filter((t) => tradeInScope(t, this.scope())), error: null })),
            catchError((error: unknown) => of({ day, value: null, error: describeError(error) })),
          );
        }),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(({ day, value, error }) => {
        if (day !== this.selected()) return;
        this.dayError.set(error);
        if (value) this.dayTrades.set(value);
      });
  }

  protected showMonth(month: string): void {
    this.month.set(month);
    this.loadMonth.next();
  }

  protected select(date: string): void {
    if (this.selected() === date) {
      this.selected.set(null);
      return;
    }
    this.selected.set(date);
    this.dayTrades.set(null);
    this.dayError.set(null);
    this.loadDay.next();
  }
}
