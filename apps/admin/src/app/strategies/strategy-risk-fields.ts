import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { TimeZoneService } from '../core/time-zone.service';
import type { RiskDraft } from './strategy-controls';

type NumberKey = { [K in keyof RiskDraft]: RiskDraft[K] extends number | null ? K : never }[keyof RiskDraft];
type TimeKey = 'windowStart' | 'windowEnd' | 'flattenAt';

/** Each limit's input: `id` names it in the form and its test id (`risk-<id>`); `none` is what an empty box means. */
const LIMITS: readonly { key: NumberKey; id: string; label: string; step: string; none: string }[] = [
  { key: 'maxPositionSize', id: 'max-position', label: 'Max position (contracts per ticker)', step: 'any', none: 'server default' },
  { key: 'maxOrderQuantity', id: 'max-order', label: 'Max order (contracts at once)', step: 'any', none: 'server default' },
  { key: 'maxOrdersPerMinute', id: 'max-orders', label: 'Max orders a minute', step: '1', none: 'no limit' },
  { key: 'maxDailyLoss', id: 'max-loss', label: 'Max daily loss ($)', step: 'any', none: 'no limit' },
  { key: 'maxDailyProfit', id: 'max-profit', label: 'Max daily profit ($)', step: 'any', none: 'no limit' },
];

const TIMES: readonly { key: TimeKey; id: string; label: string }[] = [
  { key: 'windowStart', id: 'window-start', label: 'Trading window from' },
  { key: 'windowEnd', id: 'window-end', label: 'to' },
  { key: 'flattenAt', id: 'flatten-at', label: 'Flatten every day at' },
];

/** A strategy's risk limits, as its settings form edits them. */
@Component({
  selector: 'fieldset[tl-strategy-risk]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'wide params', 'data-testid': 'strategy-risk' },
  template: `
    @let draft = risk();
    <legend>Risk limits</legend>
    @for (f of limits; track f.key) {
      <label
        >{{ f.label }}
        <input
          [name]="'risk-' + f.id"
          type="number"
          min="0"
          [step]="f.step"
          [(ngModel)]="draft[f.key]"
          [placeholder]="f.none"
          [attr.data-testid]="'risk-' + f.id"
      /></label>
    }
    @for (f of times; track f.key) {
      <label
        >{{ f.label }} <input [name]="'risk-' + f.id" type="time" [(ngModel)]="draft[f.key]" [attr.data-testid]="'risk-' + f.id"
      /></label>
    }
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
  protected readonly limits = LIMITS;
  protected readonly times = TIMES;
  /** Edited in place. */
  readonly risk = input.required<RiskDraft>();
}
