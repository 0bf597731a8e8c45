import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import { catchError, map, of, switchMap, tap } from 'rxjs';
import type { ScriptFile, ScriptProblem } from '@tradeloop/contracts';
import { ApiService, describeError, scriptProblemOf } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';
import { CodeEditor } from './code-editor';
import { NEW_SCRIPT } from './script-template';

/**
 * One strategy script: edit it highlighted, save it (the server checks it first: a script that
 * does not load is refused and its problem shown at its line and column), delete it.
 */
@Component({
  selector: 'tl-script-editor-page',
  imports: [CodeEditor, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(window:keydown)': 'shortcut($event)', '(window:beforeunload)': 'beforeUnload($event)' },
  template: `
    <div class="page-head">
      <h1 class="mono">{{ name() }}</h1>
      <span class="small-text" data-testid="script-state">
        @if (isNew()) {
          <span class="badge warn">new: not saved yet</span>
        } @else if (modified()) {
          <span class="badge warn">modified</span>
        } @else if (file()) {
          <span class="badge good">saved</span>
        }
      </span>
    </div>
    <p class="small-text"><a routerLink="/scripts">← All scripts</a></p>
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="script-error">{{ message }}</p>
    }
    @if (notice(); as text) {
      <p class="good" role="status" data-testid="script-notice">{{ text }}</p>
    }
    @if (loaded()) {
      @if (file(); as f) {
        <p class="muted small-text" data-testid="script-meta">
          Handlers: {{ f.handlers.join(', ') || 'none' }} · params: {{ paramsText(f) }} · tickers: {{ f.tickers.join(', ') || 'none' }}
          @if (f.every) {
            · every {{ f.every / 1000 }} s
          }
          · used by {{ f.strategyIds.length }} strateg{{ f.strategyIds.length === 1 ? 'y' : 'ies' }} · changed
          {{ zone.format(f.updatedAt) }}
        </p>
      }
      <tl-code-editor [(value)]="source" [problem]="problem()" [label]="'Source of ' + name()" />
      <div class="actions editor-actions">
        <button type="button" (click)="save()" [disabled]="saving() || (!modified() && !isNew())" data-testid="save-script">
          {{ saving() ? 'Checking…' : 'Save' }}
        </button>
        <button type="button" (click)="revert()" [disabled]="!modified()">Revert</button>
        @if (!isNew()) {
          <button type="button" class="danger" (click)="remove()" [disabled]="!!file()?.strategyIds?.length" data-testid="delete-script">
            Delete
          </button>
        }
        <span class="muted small-text">Ctrl+S saves · Tab indents (Esc, then Tab, leaves the editor)</span>
      </div>
    } @else if (!error()) {
      <p class="muted">Loading…</p>
    }
  `,
})
export class ScriptEditorPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  protected readonly zone = inject(TimeZoneService);
  /** From the route. */
  readonly name = input.required<string>();
  protected readonly file = signal<ScriptFile | null>(null);
  protected readonly source = signal('');
  /** The text on the server (or the template, for a new script). */
  private readonly saved = signal('');
  protected readonly isNew = signal(false);
  protected readonly loaded = signal(false);
  protected readonly saving = signal(false);
  protected readonly problem = signal<ScriptProblem | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly modified = computed(() => this.source() !== this.saved());

  constructor() {
    toObservable(this.name)
      .pipe(
        tap(() => {
          this.loaded.set(false);
          this.error.set(null);
          this.notice.set(null);
          this.problem.set(null);
        }),
        switchMap((name) =>
          this.api.script(name).pipe(
            map((file) => ({ file, error: null as unknown })),
            catchError((error: unknown) => of({ file: null, error })),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe(({ file, error }) => {
        if (file) {
          this.show(file);
          // The file on disk does not load: show where, as a save would.
          if (file.error) {
            this.problem.set(file.error);
            this.error.set(
              `This version does not load${file.loaded ? ' (strategies keep running the last one that did)' : ''}: ${this.where(file.error)}`,
            );
          }
        } else if (error instanceof HttpErrorResponse && error.status === 404) {
          this.isNew.set(true);
          this.file.set(null);
          this.source.set(NEW_SCRIPT);
          this.saved.set('');
          this.loaded.set(true);
        } else {
          this.error.set(describeError(error));
        }
      });
  }

  /** Leaving with unsaved changes asks first (the route's guard). */
  canLeave(): boolean {
    return !this.unsaved() || confirm(`Leave ${this.name()} without saving your changes?`);
  }

  protected beforeUnload(event: BeforeUnloadEvent): void {
    if (this.unsaved()) event.preventDefault();
  }

  /** Typed and not saved (a new script's untouched template does not count). */
  private unsaved(): boolean {
    return this.loaded() && (this.isNew() ? this.source() !== NEW_SCRIPT : this.modified());
  }

  protected shortcut(event: KeyboardEvent): void {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      if (this.loaded() && !this.saving()) this.save();
    }
  }

  protected save(): void {
    this.saving.set(true);
    this.error.set(null);
    this.notice.set(null);
    this.problem.set(null);
    const source = this.source();
    this.api.saveScript(this.name(), source).subscribe({
      next: (file) => {
        this.saving.set(false);
        const created = this.isNew();
        this.show(file, source);
        this.notice.set(
          created ? `Created ${file.name}.` : `Saved; strategies running ${file.name} use this version from their next event.`,
        );
      },
      error: (e: unknown) => {
        this.saving.set(false);
        const problem = scriptProblemOf(e);
        this.problem.set(problem);
        this.error.set(problem ? `Not saved: ${this.where(problem)}` : describeError(e));
      },
    });
  }

  protected revert(): void {
    this.source.set(this.saved() || NEW_SCRIPT);
  }

  protected remove(): void {
    if (!confirm(`Delete ${this.name()}?`)) return;
    this.api.deleteScript(this.name()).subscribe({
      next: () => void this.router.navigate(['/scripts']),
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  protected paramsText(f: ScriptFile): string {
    const entries = Object.entries(f.params);
    return entries.length ? entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : 'none';
  }

  private where(p: ScriptProblem): string {
    const what = p.kind === 'syntax' ? 'syntax error' : p.kind === 'error' ? 'error' : `${p.kind} problem`;
    return `${what} at line ${p.line ?? '?'}, column ${p.column ?? '?'}: ${p.message}`;
  }

  /** `typed`: what the user saved, kept as it is (the server may answer a moment later with the same text). */
  private show(file: ScriptFile, typed?: string): void {
    this.file.set(file);
    this.isNew.set(false);
    this.saved.set(file.source);
    if (typed === undefined || typed === this.source()) this.source.set(file.source);
    this.loaded.set(true);
  }
}
