import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { HealthDetails, PluginInfo } from '@tradeloop/contracts';

/** Green for running, amber for loaded or degraded, red for the rest. */
export const tone = (status: string): string =>
  status === 'ok' || status === 'started' ? 'good' : status === 'degraded' || status === 'loaded' ? 'warn' : 'bad';

/** `3m`, `2h 5m`. */
export function uptime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

/** The server, its database and queue, and the plugins with their kinds and errors. */
@Component({
  selector: 'tl-server-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let h = health();
    <h2>Server</h2>
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
    <div class="scroll">
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
              <td class="mono">
                {{ plugin.name }}
                @if (plugin.displayName) {
                  <span class="muted small-text">{{ plugin.displayName }}</span>
                }
              </td>
              <td>{{ kinds(plugin.kind) }}</td>
              <td>
                <span class="badge" [class]="tone(plugin.status)">{{ plugin.status }}</span>
              </td>
              <td class="bad">{{ plugin.error ?? '' }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class ServerStatus {
  readonly health = input.required<HealthDetails>();
  protected readonly tone = tone;
  protected readonly uptime = uptime;

  protected kinds(kind: PluginInfo['kind']): string {
    return kind === null ? '—' : Array.isArray(kind) ? kind.join(' + ') : kind;
  }
}
