import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { formatCompactMoney, formatMoney } from '../shared/format';
import { calendarGrid, shiftMonth } from './calendar-grid';
import type { PnlCalendar as CalendarData } from '@tradeloop/contracts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A month of green and red trading days; a click on a day with trades asks for its trades. */
@Component({
  selector: 'tl-pnl-calendar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="calendar-head">
      <button
        type="button"
        class="small"
        (click)="monthChange.emit(previous())"
        aria-label="Previous month"
        data-testid="calendar-previous"
      >
        ‹
      </button>
      <strong data-testid="calendar-month">{{ title() }}</strong>
      <button type="button" class="small" (click)="monthChange.emit(next())" aria-label="Next month" data-testid="calendar-next">›</button>
      <span class="calendar-total"
        >Month <span [class]="totalTone()" data-testid="calendar-total">{{ money(current()?.total) }}</span></span
      >
    </div>
    <div class="calendar" role="grid">
      @for (name of weekdays; track name) {
        <div class="weekday" role="columnheader">{{ name }}</div>
      }
      @for (week of weeks(); track $index) {
        @for (cell of week; track $index) {
          @if (cell.date) {
            <button
              type="button"
              class="day"
              role="gridcell"
              [class]="cell.tone"
              [class.selected]="cell.date === selected()"
              [class.has-trades]="cell.trades > 0"
              [disabled]="cell.trades === 0"
              (click)="daySelect.emit(cell.date)"
              [attr.data-date]="cell.date"
              data-testid="calendar-day"
            >
              <span class="day-number">{{ cell.day }}</span>
              @if (cell.trades > 0) {
                <span class="day-pnl full">{{ money(cell.pnl) }}</span>
                <span class="day-pnl compact" aria-hidden="true">{{ compact(cell.pnl) }}</span>
                <span class="day-trades">{{ cell.trades }} {{ cell.trades === 1 ? 'trade' : 'trades' }}</span>
              }
            </button>
          } @else {
            <div class="day blank"></div>
          }
        }
      }
    </div>
  `,
})
export class PnlCalendar {
  readonly month = input.required<string>();
  readonly data = input<CalendarData | null>(null);
  readonly selected = input<string | null>(null);
  readonly monthChange = output<string>();
  readonly daySelect = output<string>();
  protected readonly weekdays = WEEKDAYS;
  /** The data, when it is this month's (a new month shows no numbers until its own arrive). */
  protected readonly current = computed(() => {
    const data = this.data();
    return data?.month === this.month() ? data : null;
  });
  protected readonly weeks = computed(() => calendarGrid(this.month(), this.current()?.days ?? []));
  protected readonly previous = computed(() => shiftMonth(this.month(), -1));
  protected readonly next = computed(() => shiftMonth(this.month(), 1));
  protected readonly title = computed(() => {
    const [year, m] = this.month().split('-').map(Number);
    return new Date(Date.UTC(year, m - 1, 1)).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  });
  protected readonly totalTone = computed(() => {
    const total = this.current()?.total ?? 0;
    return total > 0 ? 'good' : total < 0 ? 'bad' : 'muted';
  });

  protected money(value: number | null | undefined): string {
    return formatMoney(value);
  }

  protected compact(value: number | null | undefined): string {
    return formatCompactMoney(value);
  }
}
