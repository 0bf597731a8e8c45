import { Injectable, computed, inject, signal } from '@angular/core';
import type { TradingClock } from '../pnl/trading-window';
import { formatShortTime, formatTime } from '../shared/format';
import { ApiService } from './api.service';

/**
 * The trading time zone and day start the server counts days in. Until the server has said
 * (the P&L summary carries both), times show in the browser's own zone.
 */
@Injectable({ providedIn: 'root' })
export class TimeZoneService {
  private readonly api = inject(ApiService);
  private asked = false;
  readonly zone = signal(Intl.DateTimeFormat().resolvedOptions().timeZone);
  readonly dayStart = signal('00:00');
  /** True once the server's settings are known. */
  readonly known = signal(false);
  readonly clock = computed<TradingClock>(() => ({ timeZone: this.zone(), dayStart: this.dayStart() }));

  /** Asks the server once per signed-in session; pages that load a summary anyway call `adopt` with it. */
  load(): void {
    if (this.asked) return;
    this.asked = true;
    this.api.pnlSummary().subscribe({
      next: (summary) => this.adopt(summary),
      // The browser's zone stays; the next sign-in asks again.
      error: () => (this.asked = false),
    });
  }

  adopt(settings: { timeZone: string; dayStart: string }): void {
    this.zone.set(settings.timeZone);
    this.dayStart.set(settings.dayStart);
    this.known.set(true);
  }

  /** Forgets the server's settings (signed out). */
  reset(): void {
    this.asked = false;
  }

  format(value: string | number | null | undefined): string {
    return formatTime(value, this.zone());
  }

  /** `14:05:09` today, `11-02 14:05` on another day: for tight columns. */
  short(value: string | number | null | undefined, now = Date.now()): string {
    return formatShortTime(value, this.zone(), now);
  }
}
