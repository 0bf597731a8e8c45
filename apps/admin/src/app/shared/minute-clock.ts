import { type Signal, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { interval } from 'rxjs';

/** Now, moving once a minute, so "today" in short times follows the clock. Call it in an injection context. */
export function minuteClock(): Signal<number> {
  const now = signal(Date.now());
  interval(60_000)
    .pipe(takeUntilDestroyed())
    .subscribe(() => now.set(Date.now()));
  return now.asReadonly();
}
