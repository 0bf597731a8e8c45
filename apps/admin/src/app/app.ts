import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { SessionService } from './auth/session.service';
import { LiveService } from './core/live.service';
import { TimeZoneService } from './core/time-zone.service';

@Component({
  selector: 'tl-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="topbar">
      <a class="brand" routerLink="/">Tradeloop</a>
      @if (session.user(); as user) {
        <nav>
          @for (link of links; track link.path) {
            <a [routerLink]="link.path" routerLinkActive="active">{{ link.label }}</a>
          }
        </nav>
        <span class="user">
          {{ user.username }}
          <button type="button" class="link" (click)="signOut()" data-testid="logout">Sign out</button>
        </span>
      }
    </header>
    @if (live.connected() === false) {
      <div class="banner" role="alert" data-testid="disconnected">Live updates lost: reconnecting… (numbers shown may be stale)</div>
    }
    <main>
      <router-outlet />
    </main>
  `,
})
export class App {
  protected readonly session = inject(SessionService);
  protected readonly live = inject(LiveService);
  private readonly zone = inject(TimeZoneService);
  protected readonly links = [
    { path: '/dashboard', label: 'Dashboard' },
    { path: '/control', label: 'Control Center' },
    { path: '/trader', label: 'Manual Trader' },
    { path: '/strategies', label: 'Strategies' },
    { path: '/scripts', label: 'Scripts' },
    { path: '/backtests', label: 'Backtests' },
    { path: '/market', label: 'Market' },
    { path: '/settings', label: 'Settings' },
  ] as const;

  constructor() {
    // One socket for the whole admin, open while someone is signed in; times in the server's trading zone.
    effect(() => {
      if (this.session.user()) {
        this.live.start();
        this.zone.load();
      } else {
        this.live.stop();
        this.zone.reset();
      }
    });
  }

  protected signOut(): void {
    this.live.stop();
    this.session.logout();
  }
}
