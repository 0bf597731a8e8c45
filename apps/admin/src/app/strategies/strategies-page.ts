import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ApiService, loadable } from '../api.service';

@Component({
  selector: 'tl-strategies-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Strategies</h1>
    </div>
    @switch (strategies().state) {
      @case ('loading') {
        <p class="muted">Loading strategies…</p>
      }
      @case ('error') {
        <p class="error" role="alert">{{ errorMessage() }}</p>
      }
    }
    @if (list(); as items) {
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Enabled</th>
            <th>Webhook URL</th>
          </tr>
        </thead>
        <tbody>
          @for (s of items; track s.id) {
            <tr data-testid="strategy-row">
              <td>{{ s.name }}</td>
              <td>
                <span class="badge" [class]="s.enabled ? 'good' : 'warn'">{{ s.enabled ? 'enabled' : 'disabled' }}</span>
              </td>
              <td class="mono url">{{ s.webhookUrl }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="3" class="muted">No strategies yet. Create one with POST /api/strategies.</td>
            </tr>
          }
        </tbody>
      </table>
    }
  `,
})
export class StrategiesPage {
  private readonly api = inject(ApiService);

  protected readonly strategies = toSignal(loadable(this.api.strategies()), { requireSync: true });
  protected readonly list = computed(() => {
    const s = this.strategies();
    return s.state === 'ok' ? s.value : null;
  });
  protected readonly errorMessage = computed(() => {
    const s = this.strategies();
    return s.state === 'error' ? s.message : '';
  });
}
