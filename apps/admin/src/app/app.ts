import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { SessionService } from './auth/session.service';

@Component({
  selector: 'tl-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="topbar">
      <a class="brand" routerLink="/">{{ title() }}</a>
      @if (session.user(); as user) {
        <nav>
          @for (link of links; track link.path) {
            <a [routerLink]="link.path" routerLinkActive="active">{{ link.label }}</a>
          }
        </nav>
        <span class="user">
          {{ user.username }}
          <button type="button" class="link" (click)="session.logout()" data-testid="logout">Sign out</button>
        </span>
      }
    </header>
    <main>
      <router-outlet />
    </main>
  `,
})
export class App {
  protected readonly session = inject(SessionService);
  protected readonly title = signal('Tradeloop');
  protected readonly links = [
    { path: '/status', label: 'Status' },
    { path: '/strategies', label: 'Strategies' },
  ] as const;
}
