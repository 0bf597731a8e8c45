import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';

/** Copies a text to the clipboard and says so for a moment. */
@Component({
  selector: 'tl-copy-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<button type="button" class="small" (click)="copy()" [attr.data-testid]="testId()">{{ state() }}</button>`,
})
export class CopyButton {
  readonly text = input.required<string>();
  readonly testId = input<string>();
  protected readonly state = signal('Copy');

  protected async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.text());
      this.state.set('Copied');
    } catch {
      this.state.set('Select and copy by hand');
    }
    setTimeout(() => this.state.set('Copy'), 1500);
  }
}
