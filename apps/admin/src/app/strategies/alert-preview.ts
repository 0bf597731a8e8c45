import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ApiService, describeError } from '../core/api.service';
import { previewView, sampleAlert, type PreviewView } from './alert-preview-view';

/**
 * "Test an alert": paste an alert message as TradingView would send it and see what it would do —
 * the fields as read, the target position, the orders with their prices and brackets, or the
 * webhook's refusal — without anything being executed or logged.
 */
@Component({
  selector: 'tl-alert-preview',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="panel alert-preview" data-testid="alert-preview">
      <label class="label" for="alert-preview-message">Test an alert</label>
      <p class="muted small-text">
        Paste an alert message (with TradingView's placeholders filled in) to see what it would do. Nothing is sent to a broker or written
        to the log.
      </p>
      <textarea
        id="alert-preview-message"
        name="alertPreviewMessage"
        [(ngModel)]="message"
        spellcheck="false"
        maxlength="65536"
        data-testid="alert-preview-input"
      ></textarea>
      <div class="actions">
        <button type="button" (click)="preview()" [disabled]="busy()" data-testid="alert-preview-run">Preview</button>
      </div>
      @if (error(); as e) {
        <p class="error" role="alert" data-testid="alert-preview-error">{{ e }}</p>
      }
      @if (view(); as v) {
        <p [class]="v.verdict.tone" role="status" data-testid="alert-preview-verdict">{{ v.verdict.text }}</p>
        @if (v.fields.length) {
          <dl data-testid="alert-preview-fields">
            @for (f of v.fields; track f.name) {
              <dt>{{ f.name }}</dt>
              <dd class="mono">{{ f.value }}</dd>
            }
          </dl>
        }
        <dl>
          @if (v.position) {
            <dt>Position</dt>
            <dd class="mono" data-testid="alert-preview-position">{{ v.position }}</dd>
          }
          @if (v.quantity) {
            <dt>Quantity</dt>
            <dd>{{ v.quantity }}</dd>
          }
          @if (v.cancels) {
            <dt>Working orders</dt>
            <dd>{{ v.cancels }}</dd>
          }
          @if (v.delay) {
            <dt>Delay</dt>
            <dd>{{ v.delay }}</dd>
          }
        </dl>
        @if (v.orders.length) {
          <div class="scroll">
            <table data-testid="alert-preview-orders">
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Order</th>
                  <th>Price</th>
                  <th>Exits</th>
                </tr>
              </thead>
              <tbody>
                @for (o of v.orders; track $index) {
                  <tr data-testid="alert-preview-order">
                    <td>{{ o.leg }}</td>
                    <td class="mono">{{ o.order }}</td>
                    <td>{{ o.price }}</td>
                    <td>{{ o.exits ?? '—' }}</td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        }
        @for (n of v.notes; track $index) {
          <p class="muted" data-testid="alert-preview-note">{{ n }}</p>
        }
      }
    </div>
  `,
})
export class AlertPreviewPanel {
  private readonly api = inject(ApiService);
  private readonly destroyRef = inject(DestroyRef);
  readonly strategyId = input.required<string>();
  readonly defaultTicker = input<string | null>(null);
  protected message = '';
  protected readonly view = signal<PreviewView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);

  constructor() {
    // A sample to start from, on the strategy's own ticker.
    effect(() => {
      const ticker = this.defaultTicker();
      untracked(() => {
        if (!this.message) this.message = sampleAlert(ticker);
      });
    });
  }

  protected preview(): void {
    this.busy.set(true);
    this.error.set(null);
    this.api
      .previewAlert(this.strategyId(), this.message)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (answer) => {
          this.view.set(previewView(answer));
          this.busy.set(false);
        },
        error: (e: unknown) => {
          this.view.set(null);
          this.error.set(describeError(e));
          this.busy.set(false);
        },
      });
  }
}
