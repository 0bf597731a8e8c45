import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { LogLine } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';
import { inject } from '@angular/core';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const KEEP = 500;

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
      <select [ngModel]="strategyFilter()" (ngModelChange)="strategyFilter.set($event)" aria-label="Strategy" data-testid="log-strategy">
        <option value="">All strategies</option>
        @for (s of strategies(); track s.id) {
          <option [value]="s.id">{{ s.name }}</option>
        }
      </select>
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
        <div class="log-line" [class]="line.level" data-testid="log-line">
          <span class="muted mono">{{ zone.format(line.time) }}</span>
          <span class="badge">{{ line.category }}</span>
          <span class="muted">{{ nameOf(line.strategyId) }}</span>
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
