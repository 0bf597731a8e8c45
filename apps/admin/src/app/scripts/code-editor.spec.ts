import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { CodeEditor } from './code-editor';

describe('CodeEditor', () => {
  beforeEach(() => TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] }));

  const source = 'export default defineStrategy({\n  onWebhook(alert, ctx) {\n    const x = ;\n  },\n});\n';

  async function render() {
    const fixture = TestBed.createComponent(CodeEditor);
    fixture.componentRef.setInput('value', source);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  it('draws the text highlighted under the textarea, line for line', async () => {
    const { el } = await render();
    const textarea = el.querySelector('textarea')!;
    expect(textarea.value).toBe(source);
    const lines = el.querySelectorAll('.code-line');
    // Five lines and the empty one after the last newline, numbered alike.
    expect(lines).toHaveLength(6);
    expect(el.querySelectorAll('.code-number')).toHaveLength(6);
    expect(
      Array.from(lines)
        .map((l) => l.textContent)
        .join('\n'),
    ).toBe(source);
    expect(Array.from(el.querySelectorAll('.tk-keyword')).map((t) => t.textContent)).toEqual(['export', 'default', 'const']);
    expect(el.querySelector('.tk-function')!.textContent).toBe('defineStrategy');
  });

  it('marks a problem at its line and column until the text changes', async () => {
    const { fixture, el } = await render();
    fixture.componentRef.setInput('problem', { kind: 'syntax', message: 'Expression expected.', line: 3, column: 15 });
    await fixture.whenStable();
    expect(el.querySelector('.code-number.bad-line')!.textContent).toBe('3');
    expect(el.querySelectorAll('.code-line')[2].classList).toContain('bad-line');
    const problem = el.querySelector('[data-testid="code-problem"]') as HTMLElement;
    expect(problem.textContent!.trim()).toBe('3:15 Expression expected.');
    expect(problem.style.left).toBe('calc(var(--code-pad) + 14ch)');

    const textarea = el.querySelector('textarea')!;
    textarea.value = source.replace('= ;', '= 1;');
    textarea.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(fixture.componentInstance.value()).toContain('const x = 1;');
    expect(el.querySelector('[data-testid="code-problem"]')).toBeNull();
    expect(el.querySelector('.bad-line')).toBeNull();
  });

  it('indents with Tab and keeps the indentation on Enter, one step deeper after an opening brace', async () => {
    const { fixture, el } = await render();
    const textarea = el.querySelector('textarea')!;
    const press = (key: string) => textarea.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    // The caret at the end of line 2, `  onWebhook(alert, ctx) {`.
    const end = source.indexOf('{\n    const') + 1;
    textarea.setSelectionRange(end, end);
    press('Enter');
    await fixture.whenStable();
    expect(fixture.componentInstance.value()).toContain('ctx) {\n    \n    const x');
    press('Tab');
    await fixture.whenStable();
    expect(fixture.componentInstance.value()).toContain('ctx) {\n      \n    const x');
    // After Escape, Tab is left to the browser (focus moves on).
    press('Escape');
    const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
    textarea.dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(false);
  });
});
