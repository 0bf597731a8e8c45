import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';
import { Money } from '../shared/money';
import { JournalEditor } from './journal-editor';
import { priceSourceLabel } from './price-source';
import type { TradeRow } from './trade-row';

/** Closed round trips, newest first; times in the trading zone. Wide tables scroll inside their box, never the page. */
@Component({
  selector: 'tl-trades-table',
  imports: [Money, JournalEditor],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="scroll">
      <table [attr.data-testid]="testId()">
        <thead>
          <tr>
            <th>Closed</th>
            @if (showStrategy()) {
              <th>Strategy</th>
            }
            <th>Trade</th>
            <th class="num hide-phone">Entry</th>
            <th class="num hide-phone">Exit</th>
            <th class="num">P&amp;L</th>
            @if (journal()) {
              <th>Journal</th>
            }
          </tr>
        </thead>
        <tbody>
          @for (t of trades(); track t.id) {
            <tr data-testid="trade-row" [attr.data-trade]="t.id">
              <td class="mono muted nowrap" [title]="zone.format(t.exitTime)">{{ zone.short(t.exitTime) }}</td>
              @if (showStrategy()) {
                <td>{{ nameOf(t.strategyId) }}</td>
              }
              <td class="mono nowrap">{{ t.direction }} {{ t.quantity }} {{ t.ticker }}</td>
              <td class="num hide-phone">
                {{ price(t.entryPrice) }}
                @if (source(t.entryPriceSource); as s) {
                  <span class="price-source" [class.demo]="s.demo" [title]="s.title" data-testid="entry-source">{{ s.text }}</span>
                }
              </td>
              <td class="num hide-phone">
                {{ price(t.exitPrice) }}
                @if (source(t.exitPriceSource); as s) {
                  <span class="price-source" [class.demo]="s.demo" [title]="s.title" data-testid="exit-source">{{ s.text }}</span>
                }
              </td>
              <td class="num" data-testid="trade-pnl"><tl-money [value]="t.pnl" /></td>
              @if (journal()) {
                <td>
                  <button
                    type="button"
                    class="small"
                    [attr.aria-expanded]="open() === t.id"
                    (click)="toggle(t.id)"
                    data-testid="journal-open"
                  >
                    Journal
                  </button>
                </td>
              }
            </tr>
            @if (open() === t.id) {
              <tr>
                <td [attr.colspan]="columns()"><tl-journal-editor [tradeId]="t.id" (closed)="open.set(null)" /></td>
              </tr>
            }
          } @empty {
            <tr>
              <td [attr.colspan]="columns()" class="muted">{{ empty() }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class TradesTable {
  protected readonly zone = inject(TimeZoneService);
  readonly trades = input.required<readonly TradeRow[]>();
  /** Strategy names by id. */
  readonly names = input<Record<string, string>>({});
  readonly showStrategy = input(true);
  readonly empty = input('No trades.');
  readonly testId = input('trades');
  /** A Journal button on each row: its tags and note, edited in place. */
  readonly journal = input(false);
  /** The trade whose journal is open. */
  protected readonly open = signal<string | null>(null);
  protected readonly columns = computed(() => 5 + (this.showStrategy() ? 1 : 0) + (this.journal() ? 1 : 0));

  protected toggle(id: string): void {
    this.open.update((current) => (current === id ? null : id));
  }

  protected nameOf(id: string | null): string {
    if (!id) return 'manual';
    return Object.hasOwn(this.names(), id) ? this.names()[id] : id.slice(0, 8);
  }

  protected source(source: string) {
    return priceSourceLabel(source);
  }

  protected price(value: number): string {
    // Cents, unless the price has finer digits (currencies, crypto).
    return formatPrice(value, Math.abs(Math.round(value * 100) - value * 100) < 1e-6 ? 0.01 : 0.0001);
  }
}
