import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { LogData } from '@tradeloop/contracts';
import type { LogLine } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const KEEP = 500;

/** A live `LOG` message as a stored line (live lines have no id until stored: the time stands in). */
export function logLine(l: LogData): LogLine {
  return { ...l, id: l.id ?? l.time, time: new Date(l.time).toISOString(), context: null };
}

/**
 * The AutoTrader log, newest first. Scrolling away from the top pauses it: new lines wait (and
 * are counted) until the reader scrolls back or presses resume, so a line never jumps away
 * while being read.
 */
@Component({
  selector: 'tl-log-stream',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
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
  protected readonly zone = inject(TimeZoneService);
  readonly strategies = input<{ id: string; name: string }[]>([]);
  /** False on a page about one strategy: no filter, no name on each line. */
  readonly strategyFilterShown = input(true);
  protected readonly levels = LEVELS;
  protected readonly strategyFilter = signal('');
  protected readonly levelFilter = signal<(typeof LEVELS)[number]>('info');
  private readonly lines = signal<LogLine[]>([]);
  protected readonly waiting = signal<LogLine[]>([]);
  protected readonly paused = signal(false);

  protected readonly visible = computed(() => {
    const strategy = this.strategyFilter();
    const min = LEVELS.indexOf(this.levelFilter());
    return this.lines().filter((l) => LEVELS.indexOf(l.level) >= min && (!strategy || l.strategyId === strategy));
  });

  /** Replaces the lines (first load, reload after a reconnect); newest first. */
  reset(lines: LogLine[]): void {
    this.lines.set(lines.slice(0, KEEP));
    this.waiting.set([]);
  }

  add(line: LogLine): void {
    if (this.paused()) this.waiting.update((w) => [line, ...w].slice(0, KEEP));
    else this.lines.update((l) => [line, ...l].slice(0, KEEP));
  }

  protected onScroll(event: Event): void {
    const atTop = (event.target as HTMLElement).scrollTop < 8;
    if (atTop && this.paused()) this.resume();
    else if (!atTop) this.paused.set(true);
  }

  protected resume(): void {
    this.lines.update((l) => [...this.waiting(), ...l].slice(0, KEEP));
    this.waiting.set([]);
    this.paused.set(false);
  }

  protected nameOf(id: string | null): string {
    if (!id) return 'system';
    return this.strategies().find((s) => s.id === id)?.name ?? id.slice(0, 8);
  }
}
