import { ChangeDetectionStrategy, Component, inject, input, output, signal, type OnInit } from '@angular/core';
import { JOURNAL_MAX_NOTE_LENGTH, JOURNAL_MAX_TAGS, type JournalEntryView } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';

/** Tags as typed (commas between them), each trimmed and lower-cased, blanks and repeats dropped: as the server keeps them. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
  return [...new Set(tags)];
}

/**
 * A trade's journal entry, edited in place: tags (they group the analytics' win rate and
 * expectancy) and a note. The server checks both and says what it refused.
 */
@Component({
  selector: 'tl-journal-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="journal-editor" (submit)="$event.preventDefault(); save(tags.value, note.value)" data-testid="journal-editor">
      <label
        >Tags
        <input
          #tags
          type="text"
          [value]="entry()?.tags?.join(', ') ?? ''"
          placeholder="breakout, a+ setup"
          [attr.aria-describedby]="'journal-tags-hint-' + tradeId()"
          data-testid="journal-tags"
        />
      </label>
      <small class="muted" [id]="'journal-tags-hint-' + tradeId()">Commas between tags, at most {{ maxTags }}.</small>
      <label
        >Note
        <textarea #note rows="3" [attr.maxlength]="maxNote" data-testid="journal-note">{{ entry()?.note ?? '' }}</textarea>
      </label>
      <div class="row-controls">
        <button type="submit" [disabled]="busy() || !entry()" data-testid="journal-save">Save</button>
        <button type="button" (click)="closed.emit()">Close</button>
        @if (savedAt(); as at) {
          <span class="muted" role="status" data-testid="journal-saved">saved {{ at }}</span>
        }
      </div>
      @if (error(); as message) {
        <p class="error" role="alert" data-testid="journal-error">{{ message }}</p>
      }
    </form>
  `,
})
export class JournalEditor implements OnInit {
  private readonly api = inject(ApiService);
  readonly tradeId = input.required<string>();
  readonly closed = output<void>();
  protected readonly entry = signal<JournalEntryView | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly savedAt = signal<string | null>(null);
  protected readonly maxTags = JOURNAL_MAX_TAGS;
  protected readonly maxNote = JOURNAL_MAX_NOTE_LENGTH;

  ngOnInit(): void {
    this.api.journalTrade(this.tradeId()).subscribe({
      next: (entry) => this.entry.set(entry),
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  protected save(tagsText: string, note: string): void {
    this.busy.set(true);
    this.error.set(null);
    this.savedAt.set(null);
    this.api.putJournalTrade(this.tradeId(), { tags: parseTags(tagsText), note }).subscribe({
      next: (entry) => {
        this.entry.set(entry);
        this.busy.set(false);
        this.savedAt.set(new Date().toLocaleTimeString());
      },
      error: (e: unknown) => {
        this.error.set(describeError(e));
        this.busy.set(false);
      },
    });
  }
}
