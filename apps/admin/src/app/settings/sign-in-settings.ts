import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { ListedToken } from '@tradeloop/contracts';
import { SessionService } from '../auth/session.service';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';

/** Where the admin is signed in (each session can be revoked; this browser's signs out) and the password. */
@Component({
  selector: 'tl-sign-in-settings',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Sessions</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="scroll">
      <table data-testid="sessions">
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Last used</th>
            <th>Expires</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (t of sessions(); track t.id) {
            <tr data-testid="session-row">
              <td class="mono">
                {{ zone.format(t.createdAt) }}
                @if (t.current) {
                  <span class="badge good">this browser</span>
                }
              </td>
              <td class="muted mono">{{ t.lastUsedAt ? zone.format(t.lastUsedAt) : 'never' }}</td>
              <td class="muted mono">{{ t.expiresAt ? zone.format(t.expiresAt) : 'never' }}</td>
              <td>
                <button type="button" class="small danger" (click)="revoke(t)" data-testid="revoke-session">
                  {{ t.current ? 'Sign out' : 'Revoke' }}
                </button>
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>

    <h2>Password</h2>
    <form class="inline-form" (ngSubmit)="changePassword()">
      <input name="current" type="password" [(ngModel)]="currentPassword" placeholder="Current password" autocomplete="current-password" />
      <input
        name="next"
        type="password"
        [(ngModel)]="nextPassword"
        placeholder="New password (12+ characters)"
        autocomplete="new-password"
      />
      <button type="submit" [disabled]="nextPassword.length < 12">Change password</button>
    </form>
    @if (notice(); as n) {
      <p class="good" role="status">{{ n }}</p>
    }
  `,
})
export class SignInSettings {
  private readonly api = inject(ApiService);
  private readonly session = inject(SessionService);
  protected readonly zone = inject(TimeZoneService);
  private readonly state = liveState({ load: () => this.api.sessions() });
  protected readonly sessions = computed(() => this.state.value() ?? []);
  private readonly actionError = signal<string | null>(null);
  /** Why the last change, else the last load, failed. */
  protected readonly error = computed(() => this.actionError() ?? this.state.error());
  protected readonly notice = signal<string | null>(null);
  protected currentPassword = '';
  protected nextPassword = '';

  protected revoke(session: ListedToken): void {
    this.actionError.set(null);
    if (session.current) {
      if (confirm('Sign this browser out?')) this.session.logout();
      return;
    }
    if (!confirm('Revoke this session? That browser is signed out at once.')) return;
    this.api
      .revokeSession(session.id)
      .subscribe({ next: () => this.state.reload(), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }

  protected changePassword(): void {
    this.actionError.set(null);
    this.api.changePassword(this.currentPassword, this.nextPassword).subscribe({
      next: () => {
        this.currentPassword = '';
        this.nextPassword = '';
        this.notice.set('Password changed; every other session has ended.');
      },
      error: (e: unknown) => this.actionError.set(describeError(e)),
    });
  }
}
