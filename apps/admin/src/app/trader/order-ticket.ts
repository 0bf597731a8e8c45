import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';
import { TraderDesk } from './trader-desk';
import { bracketPreview, spreadTicks, type BracketPreview, type OrderForm } from './trader-math';

/** The order ticket: ticker and account, the live bid, ask and spread, the order with its bracket, Buy and Sell. */
@Component({
  selector: 'form[tl-order-ticket]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Enter in a field never submits (and reloads) the page: orders go only by Buy or Sell.
  host: { class: 'panel form-grid', 'data-testid': 'order-ticket', '(submit)': '$event.preventDefault()' },
  template: `
    <label
      >Ticker
      <input
        name="ticker"
        [(ngModel)]="desk.tickerText"
        list="trader-tickers"
        autocomplete="off"
        autocapitalize="characters"
        maxlength="64"
        placeholder="NQ1!, ES1!, AAPL…"
        data-testid="trader-ticker"
      />
      <datalist id="trader-tickers">
        @for (t of desk.knownTickers(); track t) {
          <option [value]="t"></option>
        }
      </datalist>
    </label>
    <label
      >Account
      <select name="account" [(ngModel)]="desk.accountId" data-testid="trader-account">
        @for (a of desk.accounts(); track a.id) {
          <option [value]="a.id">{{ a.name }} ({{ a.broker }})</option>
        }
      </select>
    </label>

    <div class="wide quote-strip" data-testid="trader-quote" [attr.data-ticker]="desk.ticker()">
      <span class="quote-item"
        ><span class="label">Bid</span> <span class="mono quote-price" data-testid="trader-bid">{{ desk.price(quote()?.bid) }}</span></span
      >
      <span class="quote-item"
        ><span class="label">Ask</span> <span class="mono quote-price" data-testid="trader-ask">{{ desk.price(quote()?.ask) }}</span></span
      >
      <span class="quote-item"
        ><span class="label">Spread</span> <span class="mono" data-testid="trader-spread">{{ spreadText() }}</span></span
      >
      <span class="muted small-text">
        @if (quote(); as q) {
          {{ desk.ticker() }} · tick {{ q.step }} = {{ '$' + q.tickValue }} · {{ zone.short(q.time) }}
        } @else {
          No quote for {{ desk.ticker() || 'this ticker' }} yet: asked the feeds to quote it.
        }
      </span>
    </div>

    <label
      >Quantity
      <input name="quantity" type="number" min="0" step="any" [(ngModel)]="quantity" data-testid="trader-quantity" />
    </label>
    <label
      >Order type
      <select name="type" [(ngModel)]="orderType" data-testid="trader-type">
        <option value="market">Market</option>
        <option value="limit">Limit</option>
        <option value="stop">Stop</option>
      </select>
    </label>
    @if (orderType() !== 'market') {
      <label
        >{{ orderType() === 'limit' ? 'Limit price' : 'Stop price' }}
        <input
          name="price"
          type="number"
          min="0"
          [step]="quote()?.step ?? 'any'"
          [(ngModel)]="limitOrStopPrice"
          data-testid="trader-price"
        />
      </label>
    }
    <label
      >Take profit (ticks)
      <input name="tp" type="number" min="1" step="1" [(ngModel)]="takeProfitTicks" placeholder="none" data-testid="trader-tp" />
    </label>
    <label
      >Stop loss (ticks)
      <input name="sl" type="number" min="1" step="1" [(ngModel)]="stopLossTicks" placeholder="none" data-testid="trader-sl" />
    </label>
    @if (bracketText(); as text) {
      <p class="wide muted small-text" data-testid="bracket-preview">{{ text }}</p>
    }
    <div class="actions wide">
      <button type="button" class="buy" [disabled]="desk.busy()" (click)="place('buy')" data-testid="trader-buy">Buy</button>
      <button type="button" class="sell" [disabled]="desk.busy()" (click)="place('sell')" data-testid="trader-sell">Sell</button>
    </div>
  `,
})
export class OrderTicket {
  protected readonly desk = inject(TraderDesk);
  protected readonly zone = inject(TimeZoneService);
  // The order, as typed.
  protected readonly quantity = signal<number | null>(1);
  protected readonly orderType = signal<OrderForm['type']>('market');
  protected readonly limitOrStopPrice = signal<number | null>(null);
  protected readonly takeProfitTicks = signal<number | null>(null);
  protected readonly stopLossTicks = signal<number | null>(null);

  protected readonly quote = this.desk.quote;
  protected readonly spreadText = computed(() => {
    const q = this.quote();
    const ticks = spreadTicks(q);
    return q && ticks !== null ? `${formatPrice(q.ask - q.bid, q.step)} (${ticks} tick${ticks === 1 ? '' : 's'})` : '—';
  });
  protected readonly bracketText = computed(() => {
    const q = this.quote();
    const tp = this.takeProfitTicks();
    const sl = this.stopLossTicks();
    if (!q || (!tp && !sl)) return null;
    const order = { type: this.orderType(), price: this.limitOrStopPrice() };
    const describe = (b: BracketPreview) =>
      [
        b.takeProfit !== null ? `take profit ${this.desk.price(b.takeProfit)}` : '',
        b.stopLoss !== null ? `stop ${this.desk.price(b.stopLoss)}` : '',
      ]
        .filter(Boolean)
        .join(', ');
    const buy = bracketPreview('buy', order, q, tp, sl);
    const sell = bracketPreview('sell', order, q, tp, sl);
    const from = buy.from === 'fill' ? "from the fill price; at today's prices" : `from the ${order.type} price`;
    return `Bracket once filled (${from}): a buy gets ${describe(buy)}; a sell gets ${describe(sell)}.`;
  });

  protected place(side: 'buy' | 'sell'): void {
    this.desk.place(
      {
        quantity: this.quantity(),
        type: this.orderType(),
        price: this.limitOrStopPrice(),
        takeProfitTicks: this.takeProfitTicks(),
        stopLossTicks: this.stopLossTicks(),
      },
      side,
    );
  }
}
