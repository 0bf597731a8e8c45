import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { map } from 'rxjs';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';
import { type WorkingOrder, withOrderUpdate } from '../shared/live-book';
import { minuteClock } from '../shared/minute-clock';

/** Every account's working orders, as `ORDER` messages move them. */
@Component({
  selector: 'section[tl-working-orders]',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Working orders</h2>
    @if (state.error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <table data-testid="working-orders">
      <thead>
        <tr>
          <th>Order</th>
          <th>Status</th>
          <th>Since</th>
        </tr>
      </thead>
      <tbody>
        @for (o of state.value(); track o.id) {
          <tr data-testid="working-order">
            <td class="mono">{{ o.side }} {{ o.quantity }} {{ o.ticker }} {{ o.type }} {{ price(o) }}</td>
            <td>
              <span class="badge warn">{{ o.status }}</span>
            </td>
            <td class="muted mono nowrap" [title]="zone.format(o.createdAt)">{{ zone.short(o.createdAt, now()) }}</td>
          </tr>
        } @empty {
          <tr>
            <td colspan="3" class="muted">No working orders.</td>
          </tr>
        }
      </tbody>
    </table>
  `,
})
export class WorkingOrders {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly now = minuteClock();
  protected readonly state = liveState({
    load: () => this.api.orders({ status: 'working', limit: 200 }).pipe(map((page): WorkingOrder[] => page.items)),
    deltas: { ORDER: withOrderUpdate },
  });

  protected price(o: WorkingOrder): string {
    if (o.type === 'limit') return `@ ${o.limitPrice ?? ''}`;
    if (o.type === 'stop') return `stop ${o.stopPrice ?? ''}`;
    return '';
  }
}
