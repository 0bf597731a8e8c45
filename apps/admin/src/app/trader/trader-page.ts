import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { OrderTicket } from './order-ticket';
import { TraderDesk } from './trader-desk';
import { TraderOrders } from './trader-orders';
import { TraderPosition } from './trader-position';

/**
 * Trading by hand: a ticker's live bid and ask, an order ticket with brackets, the position in
 * that ticker on an account with its open P&L (Flatten, Reverse), and the account's working
 * orders. Every order takes the same path as a strategy's (risk limits, the ledger, the log); one
 * the server refuses says why, here, in words.
 */
@Component({
  selector: 'tl-trader-page',
  imports: [OrderTicket, TraderPosition, TraderOrders],
  providers: [TraderDesk],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Manual Trader</h1>
    </div>
    @if (desk.killSwitch()?.engaged) {
      <p class="error" role="alert" data-testid="trader-kill-switch">
        <strong>The kill switch is engaged</strong> ({{ desk.killSwitch()?.reason }}): only orders that reduce a position pass. Release it
        in Settings.
      </p>
    }
    @if (desk.error(); as message) {
      <p class="error" role="alert" data-testid="trader-error">{{ message }}</p>
    }
    @if (desk.notice(); as message) {
      <p class="panel good" role="status" data-testid="trader-notice">{{ message }}</p>
    }

    <div class="trader">
      <form tl-order-ticket></form>
      <section tl-trader-position></section>
    </div>

    <tl-trader-orders />
  `,
})
export class TraderPage {
  protected readonly desk = inject(TraderDesk);
}
