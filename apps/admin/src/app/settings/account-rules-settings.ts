import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { AccountRulesView } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';

/**
 * Prop-firm rules per account: pick a firm preset (its sources, date and unchecked figures
 * shown), edit the rules as JSON (dollars, as the rules file), apply or remove. The server checks
 * every field and names the one it refuses.
 */
@Component({
  selector: 'tl-account-rules-settings',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Account rules</h2>
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="rules-error">{{ message }}</p>
    }
    <form class="inline-form" (ngSubmit)="apply()">
      <select name="rulesAccount" [ngModel]="accountId()" (ngModelChange)="pickAccount($event)">
        <option value="">Account…</option>
        @for (a of accounts.value() ?? []; track a.id) {
          <option [value]="a.id">{{ a.name }}</option>
        }
      </select>
      <select name="rulesPreset" [ngModel]="presetId()" (ngModelChange)="pickPreset($event)">
        <option value="">Preset (optional)…</option>
        @for (p of presets.value() ?? []; track p.id) {
          <option [value]="p.id">{{ p.firm }} — {{ p.plan }}</option>
        }
      </select>
      <button type="submit" [disabled]="!accountId() || !rulesText.trim()">Apply rules</button>
      <button type="button" class="danger" [disabled]="!current()?.rules" (click)="remove()">Remove rules</button>
    </form>
    @if (preset(); as p) {
      <p class="muted" data-testid="preset-source">
        As of {{ p.asOf }} from {{ p.sources.map((s) => s.title).join('; ') }}.
        @if (p.unverified.length) {
          Check first: {{ p.unverified.join(', ') }}.
        }
      </p>
    }
    <textarea name="rulesJson" [(ngModel)]="rulesText" rows="12" class="mono" spellcheck="false" aria-label="Rules as JSON"></textarea>
    @if (current(); as view) {
      @for (lock of view.locks; track lock.rule) {
        <p class="error">Locked: {{ lock.reason }}</p>
      }
      <ul>
        @for (m of view.margins; track m.rule) {
          <li>{{ m.text }}</li>
        }
      </ul>
    }
  `,
})
export class AccountRulesSettings {
  private readonly api = inject(ApiService);
  protected readonly accounts = liveState({ load: () => this.api.accounts() });
  protected readonly presets = liveState({ load: () => this.api.accountRulePresets() });
  protected readonly accountId = signal('');
  protected readonly presetId = signal('');
  protected readonly current = signal<AccountRulesView | null>(null);
  protected readonly preset = computed(() => (this.presets.value() ?? []).find((p) => p.id === this.presetId()) ?? null);
  private readonly actionError = signal<string | null>(null);
  protected readonly error = computed(() => this.actionError() ?? this.presets.error() ?? this.accounts.error());
  protected rulesText = '';

  protected pickAccount(id: string): void {
    this.accountId.set(id);
    this.current.set(null);
    this.actionError.set(null);
    if (!id) return;
    this.api.accountRules(id).subscribe({
      next: (view) => {
        this.current.set(view);
        this.presetId.set(view.preset ?? '');
        this.rulesText = view.rules ? JSON.stringify(view.rules, null, 2) : this.rulesText;
      },
      error: (e: unknown) => this.actionError.set(describeError(e)),
    });
  }

  protected pickPreset(id: string): void {
    this.presetId.set(id);
    const preset = this.preset();
    if (preset) this.rulesText = JSON.stringify(preset.rules, null, 2);
  }

  protected apply(): void {
    this.actionError.set(null);
    let rules: Record<string, unknown>;
    try {
      rules = JSON.parse(this.rulesText) as Record<string, unknown>;
    } catch (e) {
      this.actionError.set(`The rules are not valid JSON: ${(e as Error).message}`);
      return;
    }
    this.api
      .setAccountRules(this.accountId(), { ...(this.presetId() ? { preset: this.presetId() } : {}), rules })
      .subscribe({ next: (view) => this.current.set(view), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }

  protected remove(): void {
    this.actionError.set(null);
    if (!confirm('Remove these rules? Their locks are lifted with them.')) return;
    this.api
      .removeAccountRules(this.accountId())
      .subscribe({ next: (view) => this.current.set(view), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }
}
