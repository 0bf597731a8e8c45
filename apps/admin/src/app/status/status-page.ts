import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { BehaviorSubject, switchMap } from 'rxjs';
import { ApiService, loadable } from '../api.service';

@Component({
  selector: 'tl-status-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Server status</h1>
      <button type="button" (click)="reload()">Refresh</button>
    </div>
    @switch (health().state) {
      @case ('loading') {
        <p class="muted">Loading server status…</p>
      }
      @case ('error') {
        <p class="error" role="alert">{{ errorMessage() }}</p>
      }
    }
    @if (value(); as h) {
      <section class="cards">
        <div class="card">
          <span class="label">Server</span>
          <span class="value badge" [class]="tone(h.status)" data-testid="server-status">{{ h.status }}</span>
          <span class="muted">v{{ h.version }} · up {{ uptime(h.uptimeSeconds) }}</span>
        </div>
        <div class="card">
          <span class="label">Database</span>
          <span class="value" data-testid="database-type">{{ h.database.type }}</span>
          <span [class]="h.database.ok ? 'good' : 'bad'">{{ h.database.ok ? 'reachable' : 'not reachable' }}</span>
        </div>
        <div class="card">
          <span class="label">Queue</span>
          <span class="value" data-testid="queue-driver">{{ h.queue.driver }}</span>
        </div>
      </section>

      <h2>Plugins</h2>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>Status</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          @for (plugin of h.plugins; track plugin.name) {
            <tr data-testid="plugin-row">
              <td class="mono">{{ plugin.name }}</td>
              <td>{{ kinds(plugin.kind) }}</td>
              <td>
                <span class="badge" [class]="tone(plugin.status)">{{ plugin.status }}</span>
              </td>
              <td class="bad">{{ plugin.error ?? '' }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="4" class="muted">No plugins loaded.</td>
            </tr>
          }
        </tbody>
      </table>
    }
  `,
})
export class StatusPage {
  private readonly api = inject(ApiService);
  private readonly refresh = new BehaviorSubject<void>(undefined);

  protected readonly health = toSignal(this.refresh.pipe(switchMap(() => loadable(this.api.health()))), { requireSync: true });

  protected readonly value = computed(() => {
    const h = this.health();
    return h.state === 'ok' ? h.value : null;
  });
  protected readonly errorMessage = computed(() => {
    const h = this.health();
    return h.state === 'error' ? h.message : '';
  });

  protected reload(): void {
    this.refresh.next();
  }

  protected kinds(kind: string | string[] | null): string {
    return kind === null ? '—' : Array.isArray(kind) ? kind.join(' + ') : kind;
  }

  protected tone(status: string): string {
    if (status === 'ok' || status === 'started') return 'good';
    if (status === 'degraded' || status === 'loaded' || status === 'stopped') return 'warn';
    return 'bad';
  }

  protected uptime(seconds: number): string {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${seconds % 60}s` : `${seconds}s`;
  }
}
