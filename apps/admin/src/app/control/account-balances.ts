import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import type { AccountView } from '@tradeloop/contracts';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { Money } from '../shared/money';

/** Each account's balance and open P&L, moving with the account's `PNL` pushes. */
@Component({
  selector: 'section[tl-account-balances]',
  imports: [Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Accounts</h2>
    @if (state.error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <table>
      <thead>
        <tr>
          <th>Account</th>
          <th class="num">Balance</th>
          <th class="num">Open</th>
        </tr>
      </thead>
      <tbody>
        @for (a of state.value(); track a.id) {
          <tr data-testid="account-row">
            <td>
              {{ a.name }} <span class="muted">{{ a.broker }}</span>
            </td>
            <td class="num"><tl-money [value]="a.balance" [sign]="false" /></td>
            <td class="num"><tl-money [value]="a.openPnl" /></td>
          </tr>
        }
      </tbody>
    </table>
  `,
})
export class AccountBalances {
  private readonly api = inject(ApiService);
  protected readonly state = liveState({
    load: () => this.api.accounts(),
    deltas: {
      PNL: (accounts, p) =>
        p.scope !== 'account' || !accounts.some((a) => a.id === p.id)
          ? accounts
          : accounts.map((a): AccountView =>
              a.id === p.id
                ? {
                    ...a,
                    openPnl: p.openPnl,
                    todayPnl: p.todayPnl,
                    totalPnl: p.totalPnl,
                    realizedPnl: p.realizedPnl,
                    // Realized P&L moves the balance; equity waits for the next load.
                    balance: a.startingBalance + p.realizedPnl,
                  }
                : a,
            ),
    },
  });
}
