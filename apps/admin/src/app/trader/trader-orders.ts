import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { TimeZoneService } from '../core/time-zone.service';
import type { WorkingOrder } from '../shared/live-book';
import { TraderDesk } from './trader-desk';

/** The account's working orders, each with Cancel. */
@Component({
  selector: 'tl-trader-orders',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Working orders on {{ desk.accountName() }}</h2>
    <div class="scroll">
      <table data-testid="trader-working-orders">
        <thead>
          <tr>
            <th>Order</th>
            <th>Status</th>
            <th>Since</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (o of desk.orders(); track o.id) {
            <tr data-testid="trader-working-order" [attr.data-order]="o.id">
              <td class="mono">{{ o.side }} {{ o.quantity }} {{ o.ticker }} {{ o.type }} {{ price(o) }}</td>
              <td>
                <span class="badge warn">{{ o.status }}</span>
                @if (o.strategyId) {
                  <span class="muted small-text"> {{ desk.ownerName(o.strategyId) }}</span>
                }
              </td>
              <td class="muted mono nowrap" [title]="zone.format(o.createdAt)">{{ zone.short(o.createdAt) }}</td>
              <td>
                <button type="button" class="small danger" [disabled]="desk.busy()" (click)="desk.cancel(o)" data-testid="cancel-order">
                  Cancel
                </button>
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="4" class="muted">No working orders.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class TraderOrders {
  protected readonly desk = inject(TraderDesk);
  protected readonly zone = inject(TimeZoneService);

  protected price(o: WorkingOrder): string {
    if (o.type === 'limit') return `@ ${this.desk.price(o.limitPrice, o.ticker)}`;
    if (o.type === 'stop') return `stop ${this.desk.price(o.stopPrice, o.ticker)}`;
    return '';
  }
}
