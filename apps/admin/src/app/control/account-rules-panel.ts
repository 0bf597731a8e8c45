import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import type { AccountRulesData, AccountRulesView } from '@tradeloop/contracts';
import { forkJoin, map, of, switchMap } from 'rxjs';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';

/** One account's rules as the panel shows them: its name beside the view. */
interface RuledAccount {
  id: string;
  name: string;
  view: Pick<AccountRulesView, 'margins' | 'locks' | 'floor'>;
  /** The last rule event the stream told of (a breach, a warning). */
  event: AccountRulesData['event'];
}

const applyPush = (list: RuledAccount[], push: AccountRulesData): RuledAccount[] => {
  const view = { margins: push.margins, locks: push.locks, floor: push.floor };
  const known = list.some((a) => a.id === push.accountId);
  if (!known) return [...list, { id: push.accountId, name: push.account, view, event: push.event }];
  return list.map((a) => (a.id === push.accountId ? { ...a, view, event: push.event ?? a.event } : a));
};

/**
 * Prop-firm rules at a glance: each ruled account's room left on every rule ("$412.00 until the
 * intraday trailing drawdown"), and a lock in red with its reason and end. Loaded over REST, moved
 * by `ACCOUNT_RULES` on `/ws`.
 */
@Component({
  selector: 'section[tl-account-rules-panel]',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Account rules</h2>
    @if (state.error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @for (a of state.value(); track a.id) {
      <div class="panel" data-testid="account-rules">
        <strong>{{ a.name }}</strong>
        @for (lock of a.view.locks; track lock.rule) {
          <p class="error" role="alert" data-testid="account-lock">
            Locked {{ lock.until ? 'until ' + zone.format(lock.until) : 'for good' }}: {{ lock.reason }}
          </p>
        }
        <ul>
          @for (m of a.view.margins; track m.rule) {
            <li [class.error]="m.remaining <= 0" data-testid="account-margin">{{ m.text }}</li>
          }
        </ul>
        @if (a.event; as e) {
          <p class="muted" data-testid="account-rule-event">{{ e.kind }}: {{ e.text }}</p>
        }
      </div>
    } @empty {
      <p class="muted">No account has prop-firm rules. Set them under Settings → Account rules.</p>
    }
  `,
})
export class AccountRulesPanel {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly state = liveState<RuledAccount[]>({
    load: () =>
      this.api.accounts().pipe(
        switchMap((accounts) =>
          accounts.length
            ? forkJoin(
                accounts.map((a) => this.api.accountRules(a.id).pipe(map((view) => ({ id: a.id, name: a.name, view, event: null })))),
              )
            : of([]),
        ),
        map((list) => list.filter((a) => a.view.rules !== null)),
      ),
    deltas: { ACCOUNT_RULES: applyPush },
  });
}
