import { ChangeDetectionStrategy, Component, computed, input, model } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { AccountView } from '@tradeloop/contracts';
import { type LinkDraft, newLink } from './strategy-controls';

/** The accounts a strategy's signal is copied to, as its settings form edits them. */
@Component({
  selector: 'fieldset[tl-strategy-links]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'wide params', 'data-testid': 'strategy-links' },
  template: `
    <legend>Copy to accounts (links)</legend>
    <p class="muted small-text wide">
      Each alert is also traded on these accounts: contracts per contract of the signal (futures round toward zero), optionally on another
      symbol (alerts on NQ1!, trade MNQ1!) or the other way round. The strategy's own account above is its recorder.
      @if (scripted()) {
        Links apply to pass-through strategies: a script trades its own account only.
      }
    </p>
    @for (link of links(); track $index; let i = $index) {
      <div class="link-row wide" data-testid="link-row">
        <label
          >Account
          <select [name]="'link-account-' + i" [(ngModel)]="link.accountId" data-testid="link-account">
            <option value="" disabled>Choose…</option>
            @for (a of linkable(); track a.id) {
              <option [value]="a.id">{{ a.name }} ({{ a.broker }})</option>
            }
          </select>
        </label>
        <label
          >Multiplier
          <input
            type="number"
            min="0"
            step="any"
            [name]="'link-multiplier-' + i"
            [(ngModel)]="link.multiplier"
            placeholder="1"
            data-testid="link-multiplier"
        /></label>
        <label
          >Symbol override
          <input
            [name]="'link-symbol-' + i"
            [(ngModel)]="link.symbolOverride"
            placeholder="same as the alert"
            maxlength="64"
            data-testid="link-symbol"
        /></label>
        <label class="check"
          ><input type="checkbox" [name]="'link-inverse-' + i" [(ngModel)]="link.inverse" data-testid="link-inverse" /> Inverse</label
        >
        <label class="check"
          ><input type="checkbox" [name]="'link-enabled-' + i" [(ngModel)]="link.enabled" data-testid="link-enabled" /> Enabled</label
        >
        <button type="button" class="small danger" (click)="remove(i)" data-testid="remove-link">Remove</button>
      </div>
    } @empty {
      <p class="muted wide" data-testid="no-links">Not copied to any other account.</p>
    }
    <div class="wide">
      <button type="button" class="small" (click)="add()" [disabled]="!linkable().length" data-testid="add-link">Add an account</button>
    </div>
  `,
})
export class StrategyLinksFields {
  readonly links = model.required<LinkDraft[]>();
  readonly accounts = input.required<readonly AccountView[]>();
  /** The strategy's own account: its recorder, never a link. */
  readonly ownAccountId = input.required<string>();
  /** The strategy runs a script (links do not apply). */
  readonly scripted = input(false);
  /** The accounts a link may copy to: any but the strategy's own. */
  protected readonly linkable = computed(() => this.accounts().filter((a) => a.id !== this.ownAccountId()));

  protected add(): void {
    const taken = new Set(this.links().map((l) => l.accountId));
    this.links.set([...this.links(), newLink(this.linkable().find((a) => !taken.has(a.id))?.id ?? '')]);
  }

  protected remove(index: number): void {
    this.links.set(this.links().filter((_, i) => i !== index));
  }
}
