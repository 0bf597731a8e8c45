import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { EXIT_KINDS, type ExitsDraft } from './strategy-controls';

/** The two bracket legs, each a size and what it is counted in (`id` names the inputs and their test ids). */
const TARGETS = [
  { id: 'tp', label: 'Take profit', value: 'takeProfit', kind: 'takeProfitKind' },
  { id: 'sl', label: 'Stop loss', value: 'stopLoss', kind: 'stopLossKind' },
] as const satisfies readonly { id: string; label: string; value: keyof ExitsDraft; kind: keyof ExitsDraft }[];

/** The stop's management after the fill, in ticks. */
const TICKS = [
  { id: 'breakeven', name: 'be', label: 'Break-even after (ticks in profit)', value: 'breakEvenTicks' },
  { id: 'trailing', name: 'trail', label: 'Trailing stop (ticks behind the best price)', value: 'trailingTicks' },
] as const satisfies readonly { id: string; name: string; label: string; value: keyof ExitsDraft }[];

/** A strategy's default exits (a bracket on what each alert opens), as its settings form edits them. */
@Component({
  selector: 'fieldset[tl-strategy-exits]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'wide params', 'data-testid': 'strategy-exits' },
  template: `
    @let draft = exits();
    <legend>Exits: a bracket on what each alert opens</legend>
    @for (f of targets; track f.id) {
      <label
        >{{ f.label }}
        <span class="exit-target">
          <input
            [name]="'exit-' + f.id"
            type="number"
            min="0"
            step="any"
            [(ngModel)]="draft[f.value]"
            placeholder="none"
            [attr.data-testid]="'exit-' + f.id"
          />
          <select [name]="'exit-' + f.id + '-kind'" [(ngModel)]="draft[f.kind]" [attr.data-testid]="'exit-' + f.id + '-kind'">
            @for (k of kinds; track k) {
              <option [value]="k">{{ k }}</option>
            }
          </select>
        </span>
      </label>
    }
    @for (f of ticks; track f.id) {
      <label
        >{{ f.label }}
        <input
          [name]="'exit-' + f.name"
          type="number"
          min="0"
          step="1"
          [(ngModel)]="draft[f.value]"
          placeholder="off"
          [attr.data-testid]="'exit-' + f.id"
      /></label>
    }
    <p class="muted small-text wide">An alert's own takeProfit / stopLoss wins over these; percents are of the alert's price.</p>
  `,
})
export class StrategyExitsFields {
  /** Edited in place. */
  readonly exits = input.required<ExitsDraft>();
  protected readonly kinds = EXIT_KINDS;
  protected readonly targets = TARGETS;
  protected readonly ticks = TICKS;
}
