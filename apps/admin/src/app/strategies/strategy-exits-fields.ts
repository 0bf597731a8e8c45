import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { EXIT_KINDS, type ExitsDraft } from './strategy-controls';

/** A strategy's default exits (a bracket on what each alert opens), as its settings form edits them. */
@Component({
  selector: 'fieldset[tl-strategy-exits]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'wide params', 'data-testid': 'strategy-exits' },
  template: `
    @let draft = exits();
    <legend>Exits: a bracket on what each alert opens</legend>
    <label
      >Take profit
      <span class="exit-target">
        <input name="exit-tp" type="number" min="0" step="any" [(ngModel)]="draft.takeProfit" placeholder="none" data-testid="exit-tp" />
        <select name="exit-tp-kind" [(ngModel)]="draft.takeProfitKind" data-testid="exit-tp-kind">
          @for (k of kinds; track k) {
            <option [value]="k">{{ k }}</option>
          }
        </select>
      </span>
    </label>
    <label
      >Stop loss
      <span class="exit-target">
        <input name="exit-sl" type="number" min="0" step="any" [(ngModel)]="draft.stopLoss" placeholder="none" data-testid="exit-sl" />
        <select name="exit-sl-kind" [(ngModel)]="draft.stopLossKind" data-testid="exit-sl-kind">
          @for (k of kinds; track k) {
            <option [value]="k">{{ k }}</option>
          }
        </select>
      </span>
    </label>
    <label
      >Break-even after (ticks in profit)
      <input
        name="exit-be"
        type="number"
        min="0"
        step="1"
        [(ngModel)]="draft.breakEvenTicks"
        placeholder="off"
        data-testid="exit-breakeven"
    /></label>
    <label
      >Trailing stop (ticks behind the best price)
      <input
        name="exit-trail"
        type="number"
        min="0"
        step="1"
        [(ngModel)]="draft.trailingTicks"
        placeholder="off"
        data-testid="exit-trailing"
    /></label>
    <p class="muted small-text wide">An alert's own takeProfit / stopLoss wins over these; percents are of the alert's price.</p>
  `,
})
export class StrategyExitsFields {
  /** Edited in place. */
  readonly exits = input.required<ExitsDraft>();
  protected readonly kinds = EXIT_KINDS;
}
