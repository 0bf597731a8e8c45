import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { ApiTokenInput, ListedToken } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';

/** API tokens for scripts and tools: listed without their secrets, made (the secret shown once) and revoked. */
@Component({
  selector: 'tl-api-tokens',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>API tokens</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (created(); as t) {
      <p class="panel" role="status" data-testid="new-token">
        Copy the token now, it is not shown again: <code class="mono">{{ t }}</code>
      </p>
    }
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Token</th>
            <th>Last used</th>
            <th>Expires</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (t of tokens(); track t.id) {
            <tr data-testid="token-row">
              <td>{{ t.name }}</td>
              <td>
                <span class="badge">{{ t.scope }}</span>
              </td>
              <td class="mono">{{ t.prefix }}…</td>
              <td class="muted mono">{{ t.lastUsedAt ? zone.format(t.lastUsedAt) : 'never' }}</td>
              <td class="muted mono">{{ t.expiresAt ? zone.format(t.expiresAt) : 'never' }}</td>
              <td><button type="button" class="small danger" (click)="revoke(t)">Revoke</button></td>
            </tr>
          } @empty {
            <tr>
              <td colspan="6" class="muted">No API tokens.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    <form class="inline-form" (ngSubmit)="create()">
      <input name="tokenName" [(ngModel)]="name" placeholder="What it is for" required maxlength="100" />
      <select name="tokenScope" [(ngModel)]="scope">
        <option value="read">read: GET only</option>
        <option value="trading">trading: read and trade</option>
      </select>
      <button type="submit" [disabled]="!name.trim()">Create token</button>
    </form>
  `,
})
export class ApiTokens {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  private readonly state = liveState({ load: () => this.api.apiTokens() });
  protected readonly tokens = computed(() => this.state.value() ?? []);
  /** The secret of the token just made. */
  protected readonly created = signal<string | null>(null);
  private readonly actionError = signal<string | null>(null);
  /** Why the last change, else the last load, failed. */
  protected readonly error = computed(() => this.actionError() ?? this.state.error());
  protected name = '';
  protected scope: ApiTokenInput['scope'] = 'read';

  protected create(): void {
    this.actionError.set(null);
    this.api.createApiToken({ name: this.name.trim(), scope: this.scope }).subscribe({
      next: (t) => {
        this.created.set(t.token);
        this.name = '';
        this.state.reload();
      },
      error: (e: unknown) => this.actionError.set(describeError(e)),
    });
  }

  protected revoke(token: ListedToken): void {
    this.actionError.set(null);
    if (!confirm(`Revoke "${token.name}"? Anything using it stops working at once.`)) return;
    this.api
      .revokeApiToken(token.id)
      .subscribe({ next: () => this.state.reload(), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }
}
