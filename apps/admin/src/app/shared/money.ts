import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { formatMoney, tone } from './format';

/** A dollar amount with its sign and colour; a dash while unknown. */
@Component({
  selector: 'tl-money',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="money" [class]="toneClass()">{{ text() }}</span>`,
})
export class Money {
  readonly value = input<number | null | undefined>();
  readonly sign = input(true);
  protected readonly text = computed(() => formatMoney(this.value(), { sign: this.sign() }));
  protected readonly toneClass = computed(() => (this.sign() ? tone(this.value()) : ''));
}
