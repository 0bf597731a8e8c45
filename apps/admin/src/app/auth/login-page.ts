import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { describeError } from '../core/api.service';
import { SessionService } from './session.service';

@Component({
  selector: 'tl-login-page',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="login" (ngSubmit)="submit()">
      <h1>Sign in</h1>
      <label>
        User name
        <input name="username" autocomplete="username" required [(ngModel)]="username" data-testid="login-username" />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          [(ngModel)]="password"
          data-testid="login-password"
        />
      </label>
      @if (error(); as message) {
        <p class="error" role="alert" data-testid="login-error">{{ message }}</p>
      }
      <button type="submit" [disabled]="busy()" data-testid="login-submit">{{ busy() ? 'Signing in…' : 'Sign in' }}</button>
      <p class="muted">The first start printed the admin's password on the server console; ADMIN_PASSWORD sets it.</p>
    </form>
  `,
})
export class LoginPage {
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);
  /** Where to go once signed in (from the query string). */
  readonly next = input<string>();
  protected username = '';
  protected password = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    this.busy.set(true);
    this.error.set(null);
    this.session.login(this.username, this.password).subscribe({
      next: () => {
        this.busy.set(false);
        const next = this.next();
        void this.router.navigateByUrl(next?.startsWith('/') && !next.startsWith('//') ? next : '/');
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.error.set(describeError(error));
      },
    });
  }
}
