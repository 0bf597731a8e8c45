import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { CopyButton } from '../shared/copy-button';

/** A webhook URL with its secret token hidden but for the last 4 characters, so it can be told apart on screen. */
export function maskWebhookUrl(url: string): string {
  const at = url.lastIndexOf('/webhooks/');
  if (at < 0) return url;
  const token = url.slice(at + '/webhooks/'.length);
  return `${url.slice(0, at)}/webhooks/${'•'.repeat(Math.max(0, token.length - 4))}${token.slice(-4)}`;
}

/**
 * The strategy's webhook URL: hidden until asked for (it is the one secret TradingView holds, and
 * screens get shared), copyable either way. The server leaves it out for read-only callers and
 * sends null when it cannot open the stored token (sealed under another secret key).
 */
@Component({
  selector: 'tl-webhook-url',
  imports: [CopyButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (url(); as full) {
      <div class="copy-row">
        <code id="webhook-url" class="mono url" data-testid="webhook-url">{{ shown() ? full : masked() }}</code>
        <button type="button" class="small" (click)="shown.set(!shown())" data-testid="show-webhook-url">
          {{ shown() ? 'Hide' : 'Show' }}
        </button>
        <tl-copy-button [text]="full" testId="copy-webhook-url" />
      </div>
    } @else if (url() === null) {
      <p class="error" data-testid="webhook-url-sealed">
        The URL cannot be shown: its token was sealed with another secret key (was TRADELOOP_SECRET_KEY changed?). Rotate the token for a
        new URL, and paste it into your alerts.
      </p>
    } @else {
      <p class="muted" data-testid="webhook-url-hidden">Only users who may trade see the webhook URL.</p>
    }
  `,
})
export class WebhookUrl {
  /** undefined: not shown to this caller; null: stored but cannot be opened. */
  readonly url = input<string | null | undefined>();
  protected readonly shown = signal(false);
  protected readonly masked = computed(() => maskWebhookUrl(this.url() ?? ''));
}
