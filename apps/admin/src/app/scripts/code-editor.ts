import { ChangeDetectionStrategy, Component, computed, input, linkedSignal, model, untracked } from '@angular/core';
import type { ScriptProblem } from '@tradeloop/contracts';
import { tokenLines } from './ts-tokenizer';

const INDENT = '  ';

/**
 * A code editor without an editor library: a transparent textarea laid exactly over the same text
 * drawn highlighted (one grid cell, same font and padding, no wrapping), so typing, selection,
 * undo and the clipboard are the browser's own, and nothing needs `eval` or inline script (the
 * admin's CSP forbids both). A problem with a line and column is marked where it is: the line, a
 * squiggle under the column and the message below it, until the text changes.
 */
@Component({
  selector: 'tl-code-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="code-editor">
      <div class="code-gutter" aria-hidden="true">
        @for (line of lines(); track $index) {
          <div class="code-number" [class.bad-line]="marked()?.line === $index + 1">{{ $index + 1 }}</div>
        }
      </div>
      <div class="code-layers">
        <div class="code-highlight" aria-hidden="true" data-testid="code-highlight">
          @for (line of lines(); track $index) {
            <div class="code-line" [class.bad-line]="marked()?.line === $index + 1">
              @for (token of line; track $index) {
                <span [class]="'tk-' + token.kind">{{ token.text }}</span>
              }
            </div>
          }
        </div>
        <textarea
          class="code-input"
          [value]="value()"
          (input)="edited($any($event.target).value)"
          (keydown)="keydown($event)"
          spellcheck="false"
          autocapitalize="off"
          autocomplete="off"
          wrap="off"
          [attr.aria-label]="label()"
          [attr.aria-invalid]="marked() ? true : null"
          data-testid="code-input"
        ></textarea>
        @if (marked(); as p) {
          <div class="code-squiggle" [style.top]="'calc(' + p.line + ' * var(--code-lh))'" [style.left]="left(p)" aria-hidden="true"></div>
          <div
            class="code-problem"
            role="alert"
            [style.top]="'calc(' + p.line + ' * var(--code-lh) + 4px)'"
            [style.left]="left(p)"
            data-testid="code-problem"
          >
            {{ p.line }}:{{ p.column ?? 1 }} {{ p.message }}
          </div>
        }
      </div>
    </div>
  `,
})
export class CodeEditor {
  readonly value = model('');
  /** A problem the server found, shown at its line and column until the text changes. */
  readonly problem = input<ScriptProblem | null>(null);
  readonly label = input('Script source');
  protected readonly lines = computed(() => tokenLines(this.value()));
  /** The text as it was when the problem arrived: the problem is shown while the text is still that. */
  private readonly problemText = linkedSignal({ source: this.problem, computation: () => untracked(this.value) });
  protected readonly marked = computed(() => {
    const p = this.problem();
    if (!p?.line || this.problemText() !== this.value()) return null;
    return p.line <= this.lines().length ? p : null;
  });
  /** After Escape, Tab leaves the editor (keyboard users are never trapped). */
  private tabLeaves = false;

  protected left(p: ScriptProblem): string {
    return `calc(var(--code-pad) + ${Math.max(0, (p.column ?? 1) - 1)}ch)`;
  }

  protected edited(text: string): void {
    this.value.set(text);
  }

  protected keydown(event: KeyboardEvent): void {
    const area = event.target as HTMLTextAreaElement;
    if (event.key === 'Escape') {
      this.tabLeaves = true;
      return;
    }
    if (event.key === 'Tab' && !this.tabLeaves && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      insert(area, INDENT);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      // Keep the indentation of the line, one step deeper after an opening bracket.
      const before = area.value.slice(0, area.selectionStart);
      const line = before.slice(before.lastIndexOf('\n') + 1);
      const indent = /^[ \t]*/.exec(line)![0] + (/[{[(]\s*$/.test(line) ? INDENT : '');
      event.preventDefault();
      insert(area, `\n${indent}`);
    }
    if (event.key !== 'Tab') this.tabLeaves = false;
  }
}

/** Types text at the caret the way the user would, so the browser's undo keeps it; `input` fires as for typing. */
function insert(area: HTMLTextAreaElement, text: string): void {
  // execCommand is the one way to insert that the undo stack records; setRangeText is the fallback.
  if (!document.execCommand?.('insertText', false, text)) {
    area.setRangeText(text, area.selectionStart, area.selectionEnd, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }
}
