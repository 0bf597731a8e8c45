import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Money } from '../shared/money';
import { TraderDesk } from './trader-desk';
import { positionText } from './trader-math';

/** What the account holds in the ticker, each owner's position with its live open P&L; Flatten and Reverse. */
@Component({
  selector: 'section[tl-trader-position]',
  imports: [Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel', 'data-testid': 'trader-position-panel' },
  template: `
    <span class="label">Position in {{ desk.ticker() || '—' }} on {{ desk.accountName() }}</span>
    <div class="position-line">
      <span class="value mono" data-testid="trader-position">{{ desk.netText() }}</span>
      <span class="value" data-testid="trader-open-pnl"><tl-money [value]="desk.totalOpenPnl()" /></span>
    </div>
    <table>
      <tbody>
        @for (row of desk.positionRows(); track row.position.id) {
          <tr data-testid="position-row">
            <td>{{ row.owner }}</td>
            <td class="mono">{{ positionText(row.position.quantity) }} @ {{ desk.price(row.position.avgPrice) }}</td>
            <td class="num"><tl-money [value]="row.openPnl" /></td>
          </tr>
        } @empty {
          <tr>
            <td class="muted">Nothing held in this ticker on this account.</td>
          </tr>
        }
      </tbody>
    </table>
    <div class="actions">
      <button
        type="button"
        class="danger"
        [disabled]="desk.busy()"
        (click)="desk.flatten()"
        title="Cancel the working orders in this ticker on this account and close every position in it (strategies' included)"
        data-testid="trader-flatten"
      >
        Flatten
      </button>
      <button
        type="button"
        [disabled]="desk.busy() || !desk.manualQuantity()"
        (click)="desk.reverse()"
        title="Turn the manual position around: one market order for twice its size"
        data-testid="trader-reverse"
      >
        Reverse
      </button>
    </div>
  `,
})
export class TraderPosition {
  protected readonly desk = inject(TraderDesk);
  protected readonly positionText = positionText;
}
