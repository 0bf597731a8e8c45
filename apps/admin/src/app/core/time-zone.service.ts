import { Injectable, signal } from '@angular/core';
import { formatTime } from '../shared/format';

/** The trading time zone the server counts days in; the browser's own until the server says. */
@Injectable({ providedIn: 'root' })
export class TimeZoneService {
  readonly zone = signal(Intl.DateTimeFormat().resolvedOptions().timeZone);

  format(value: string | number | null | undefined): string {
    return formatTime(value, this.zone());
  }
}
