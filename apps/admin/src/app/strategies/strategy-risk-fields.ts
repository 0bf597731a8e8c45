import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { TimeZoneService } from '../core/time-zone.service';
import type { RiskDraft } from './strategy-controls';

/** A strategy's risk limits, as its settings form edits them. */
@Component({
  selector: 'fieldset[tl-strategy-risk]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'wide params', 'data-testid': 'strategy-risk' },
  template: `
    @let draft = risk();
    <legend>Risk limits</legend>
    <label
      >Max position (contracts per ticker)
      <input
        name="risk-max-position"
        type="number"
        min="0"
        step="any"
        [(ngModel)]="draft.maxPositionSize"
        placeholder="server default"
        data-testid="risk-max-position"
    /></label>
    <label
      >Max order (contracts at once)
      <input
        name="risk-max-order"
        type="number"
        min="0"
        step="any"
        [(ngModel)]="draft.maxOrderQuantity"
        placeholder="server default"
        data-testid="risk-max-order"
    /></label>
    <label
      >Max orders a minute
      <input
        name="risk-max-orders"
        type="number"
        min="0"
        step="1"
        [(ngModel)]="draft.maxOrdersPerMinute"
        placeholder="no limit"
        data-testid="risk-max-orders"
    /></label>
    <label
      >Max daily loss ($)
      <input
        name="risk-max-loss"
        type="number"
        min="0"
        step="any"
        [(ngModel)]="draft.maxDailyLoss"
        placeholder="no limit"
        data-testid="risk-max-loss"
    /></label>
    <label
      >Max daily profit ($)
      <input
        name="risk-max-profit"
        type="number"
        min="0"
        step="any"
        [(ngModel)]="draft.maxDailyProfit"
        placeholder="no limit"
        data-testid="risk-max-profit"
    /></label>
    <label
      >Trading window from <input name="risk-window-start" type="time" [(ngModel)]="draft.windowStart" data-testid="risk-window-start"
    /></label>
    <label>to <input name="risk-window-end" type="time" [(ngModel)]="draft.windowEnd" data-testid="risk-window-end" /></label>
    <label
      >Flatten every day at <input name="risk-flatten-at" type="time" [(ngModel)]="draft.flattenAt" data-testid="risk-flatten-at"
    /></label>
    <label
      >Time zone of these times
      <input
        name="risk-time-zone"
        [(ngModel)]="draft.timeZone"
        [placeholder]="zone.zone() + ' (trading zone)'"
        maxlength="64"
        data-testid="risk-time-zone"
    /></label>
    <p class="muted small-text wide">
      Outside the window only orders that reduce a position pass. A daily loss or profit limit flattens, cancels working orders and halts
      the strategy until the next trading day. Orders that bring a position toward flat are never refused.
    </p>
  `,
})
export class StrategyRiskFields {
  protected readonly zone = inject(TimeZoneService);
  /** Edited in place. */
  readonly risk = input.required<RiskDraft>();
}
