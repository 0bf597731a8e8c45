import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { LogData, LogEntryView } from '@tradeloop/contracts';
import { map } from 'rxjs';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const KEEP = 500;
/** Lines loaded at first (and after a reconnect); live ones join them up to `KEEP`. */
const LOAD = 200;

/** A live `LOG` message as a stored line (live lines have no id until stored: the time stands in). */
export function logLine(l: LogData): LogEntryView {
  return { ...l, id: l.id ?? l.time, time: new Date(l.time).toISOString(), context: null };
}

/** Lines shown, and live ones waiting while the reader has scrolled away from the top. */
interface LogLines {
  shown: LogEntryView[];
  waiting: LogEntryView[];
}

/**
 * The AutoTrader log of every strategy or of one, newest first: loaded, then each `LOG` on top.
 * Scrolling away from the top pauses it: new lines wait (and are counted) until the reader
 * scrolls back or presses resume, so a line never jumps away while being read.
 */
@Component({
  selector: 'tl-log-stream',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="toolbar">
      @if (strategyFilterShown()) {
        <select [ngModel]="strategyFilter()" (ngModelChange)="strategyFilter.set($event)" aria-label="Strategy" data-testid="log-strategy">
          <option value="">All strategies</option>
          @for (s of strategies(); track s.id) {
            <option [value]="s.id">{{ s.name }}</option>
          }
        </select>
      }
      <select [ngModel]="levelFilter()" (ngModelChange)="levelFilter.set($event)" aria-label="Level" data-testid="log-level">
        @for (level of levels; track level) {
          <option [value]="level">{{ level }} and above</option>
        }
      </select>
      @if (paused()) {
        <button type="button" class="small" (click)="resume()" data-testid="log-resume">
          Paused · {{ waiting().length }} new · resume
        </button>
      }
    </div>
    <div class="log" (scroll)="onScroll($event)" data-testid="log-stream">
      @for (line of visible(); track line.id + ':' + line.time) {
        <div class="log-line" [class]="'level-' + line.level" data-testid="log-line">
          <span class="muted mono nowrap" [title]="zone.format(line.time)">{{ zone.short(line.time) }}</span>
          <span class="badge">{{ line.category }}</span>
          @if (strategyFilterShown()) {
            <span class="muted">{{ nameOf(line.strategyId) }}</span>
          }
          <span>{{ line.message }}</span>
        </div>
      } @empty {
        <p class="muted">Nothing logged yet.</p>
      }
    </div>
  `,
})
export class LogStream {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  /** One strategy's log (no filter, no name on each line); every strategy's when absent. */
  readonly strategyId = input<string>();
  /** Names for the lines and the filter. */
  readonly strategies = input<{ id: string; name: string }[]>([]);
  protected readonly strategyFilterShown = computed(() => !this.strategyId());
  protected readonly levels = LEVELS;
  protected readonly strategyFilter = signal('');
  protected readonly levelFilter = signal<(typeof LEVELS)[number]>('info');
  protected readonly paused = signal(false);
  private readonly log = liveState({
    params: () => this.strategyId(),
    load: (strategyId) =>
      this.api.logs({ strategyId, limit: LOAD }).pipe(map((lines): LogLines => ({ shown: lines.slice(0, KEEP), waiting: [] }))),
    clearWhen: (before, after) => before !== after,
    deltas: {
      LOG: (lines, l) => {
        if (this.strategyId() && l.strategyId !== this.strategyId()) return lines;
        const line = logLine(l);
        return this.paused()
          ? { ...lines, waiting: [line, ...lines.waiting].slice(0, KEEP) }
          : { ...lines, shown: [line, ...lines.shown].slice(0, KEEP) };
      },
    },
  });
  protected readonly error = this.log.error;
  protected readonly waiting = computed(() => this.log.value()?.waiting ?? []);

  protected readonly visible = computed(() => {
    const strategy = this.strategyFilter();
    const min = LEVELS.indexOf(this.levelFilter());
    return (this.log.value()?.shown ?? []).filter((l) => LEVELS.indexOf(l.level) >= min && (!strategy || l.strategyId === strategy));
  });

  protected onScroll(event: Event): void {
    const atTop = (event.target as HTMLElement).scrollTop < 8;
    if (atTop && this.paused()) this.resume();
    else if (!atTop) this.paused.set(true);
  }

  protected resume(): void {
    this.log.update(({ shown, waiting }) => ({ shown: [...waiting, ...shown].slice(0, KEEP), waiting: [] }));
    this.paused.set(false);
  }

  protected nameOf(id: string | null): string {
    if (!id) return 'system';
    return this.strategies().find((s) => s.id === id)?.name ?? id.slice(0, 8);
  }
}
