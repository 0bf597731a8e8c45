import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { forkJoin } from 'rxjs';
import type { ScriptInfo } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';
import { scriptFileName } from './script-template';

/** The strategy scripts in the server's scripts folder: what each declares, who runs it, and whether it loads. */
@Component({
  selector: 'tl-scripts-page',
  imports: [FormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Scripts</h1>
    </div>
    <form class="inline-form" (ngSubmit)="create()">
      <input name="name" [(ngModel)]="name" placeholder="New script, e.g. breakout.ts" maxlength="100" data-testid="new-script-name" />
      <button type="submit" [disabled]="!name.trim()" data-testid="new-script">New script</button>
    </form>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (scripts(); as list) {
      <div class="scroll">
        <table data-testid="scripts">
          <thead>
            <tr>
              <th>Script</th>
              <th>Loads</th>
              <th>Handlers</th>
              <th>Params</th>
              <th>Used by</th>
              <th>Changed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            @for (s of list; track s.name) {
              <tr data-testid="script-row" [attr.data-script]="s.name" [class.errored]="s.error">
                <td class="mono">
                  <a [routerLink]="['/scripts', s.name]">{{ s.name }}</a>
                </td>
                <td>
                  @if (s.error) {
                    <span class="badge bad" [title]="s.error.message">{{ s.error.kind }}</span>
                    <span class="bad small-text">line {{ s.error.line ?? '?' }}: {{ s.error.message }}</span>
                  } @else {
                    <span class="badge good">ok</span>
                  }
                </td>
                <td class="mono small-text">{{ s.handlers.join(', ') || '—' }}</td>
                <td class="mono small-text">{{ paramsText(s) }}</td>
                <td class="small-text">{{ usedBy(s) }}</td>
                <td class="mono muted nowrap">{{ zone.short(s.updatedAt) }}</td>
                <td>
                  @if (!s.strategyIds.length) {
                    <button type="button" class="small danger" (click)="remove(s)" [attr.data-testid]="'delete-' + s.name">Delete</button>
                  }
                </td>
              </tr>
            } @empty {
              <tr>
                <td colspan="7" class="muted">No scripts yet. Name one above, or drop a .ts file into the server's scripts folder.</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    } @else if (!error()) {
      <p class="muted">Loading scripts…</p>
    }
  `,
})
export class ScriptsPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  protected readonly zone = inject(TimeZoneService);
  protected readonly scripts = signal<ScriptInfo[] | null>(null);
  private readonly strategyNames = signal<Record<string, string>>({});
  protected readonly error = signal<string | null>(null);
  protected name = '';

  constructor() {
    this.load();
  }

  protected paramsText(s: ScriptInfo): string {
    const entries = Object.entries(s.params);
    return entries.length ? entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : '—';
  }

  protected usedBy(s: ScriptInfo): string {
    return s.strategyIds.length ? s.strategyIds.map((id) => this.strategyNames()[id] ?? id.slice(0, 8)).join(', ') : 'no strategy';
  }

  protected create(): void {
    const file = scriptFileName(this.name);
    if (!file) {
      this.error.set(`"${this.name.trim()}" is not a script name: use letters, digits, "_", "-" and ".", ending in .ts or .js.`);
      return;
    }
    if (this.scripts()?.some((s) => s.name === file)) {
      this.error.set(`${file} already exists: open it from the list.`);
      return;
    }
    void this.router.navigate(['/scripts', file]);
  }

  protected remove(s: ScriptInfo): void {
    if (!confirm(`Delete ${s.name}? The file is removed from the scripts folder.`)) return;
    this.api.deleteScript(s.name).subscribe({ next: () => this.load(), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  private load(): void {
    forkJoin({ scripts: this.api.scripts(), strategies: this.api.strategies() }).subscribe({
      next: ({ scripts, strategies }) => {
        this.scripts.set(scripts);
        this.strategyNames.set(Object.fromEntries(strategies.map((s) => [s.id, s.name])));
        this.error.set(null);
      },
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }
}
