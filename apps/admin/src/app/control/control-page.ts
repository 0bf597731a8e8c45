import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { PnlData } from '@tradeloop/contracts';
import { Subject, catchError, debounceTime, filter, forkJoin, interval, merge, of, startWith, switchMap } from 'rxjs';
import {
  ApiService,
  describeError,
  type Account,
  type Order,
  type Position,
  type Strategy,
  type WebhookEventRow,
} from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';
import { LogStream, logLine } from '../shared/log-stream';
import { Money } from '../shared/money';
import { isAcceptedAlert } from '../strategies/strategy-list';

interface StrategyRow {
  strategy: Strategy;
  status: 'enabled' | 'disabled' | 'errored';
  reason: string | null;
  positions: Position[];
  pnl: PnlData | null;
}

const RELOAD_DEBOUNCE_MS = 500;

/**
 * One live row per strategy, account balances, working orders, failed alerts and the log of
 * everything: the page a trader keeps open, on a laptop or a phone. REST loads the state; `/ws`
 * keeps it moving; a reconnect reloads it.
 */
@Component({
  selector: 'tl-control-page',
  imports: [Money, LogStream],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Control Center</h1>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @for (row of erroredRows(); track row.strategy.id) {
      <p class="error errored-banner" role="alert" data-testid="errored-banner">
        <strong>{{ row.strategy.name }} stopped with an error</strong> and takes no alerts: {{ row.reason ?? 'no reason given' }}. Fix the
        cause, then enable it again.
      </p>
    }

    <h2>Strategies</h2>
    <div class="scroll">
      <table class="stack-table" data-testid="control-strategies">
        <thead>
          <tr>
            <th>Strategy</th>
            <th>On</th>
            <th>Position</th>
            <th class="num">Open</th>
            <th class="num">Today</th>
            <th class="num">Total</th>
            <th>Last signal</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (row of rows(); track row.strategy.id) {
            <tr data-testid="control-row" [attr.data-strategy]="row.strategy.name" [class.errored]="row.status === 'errored'">
              <td class="row-title">
                <strong>{{ row.strategy.name }}</strong>
              </td>
              <td data-label="On">
                <input
                  type="checkbox"
                  [checked]="row.strategy.enabled"
                  (change)="setEnabled(row.strategy, $any($event.target).checked)"
                  [attr.aria-label]="'Enable ' + row.strategy.name"
                  data-testid="toggle-enabled"
                />
              </td>
              <td data-label="Position" class="mono" data-testid="row-position">{{ positionText(row.positions) }}</td>
              <td data-label="Open" class="num" data-testid="row-open"><tl-money [value]="row.pnl?.openPnl" /></td>
              <td data-label="Today" class="num" data-testid="row-today"><tl-money [value]="row.pnl?.todayPnl" /></td>
              <td data-label="Total" class="num" data-testid="row-total">
                <tl-money [value]="row.pnl?.totalPnl ?? row.pnl?.realizedPnl" />
              </td>
              <td
                data-label="Last signal"
                class="mono nowrap"
                data-testid="row-last-signal"
                [title]="zone.format(row.strategy.lastSignalAt)"
              >
                {{ row.strategy.lastSignalAt ? zone.short(row.strategy.lastSignalAt, now()) : 'never' }}
              </td>
              <td data-label="Status">
                <span
                  class="badge"
                  [class]="row.status === 'enabled' ? 'good' : row.status === 'errored' ? 'bad loud' : 'warn'"
                  [title]="row.reason ?? ''"
                  data-testid="row-status"
                  >{{ row.status }}</span
                >
                @if (row.reason) {
                  <span class="bad small-text"> {{ row.reason }}</span>
                }
              </td>
              <td class="row-actions">
                @if (row.strategy.enabled) {
                  <button type="button" class="small" (click)="setEnabled(row.strategy, false)" data-testid="disable">Disable</button>
                } @else {
                  <button type="button" class="small" (click)="setEnabled(row.strategy, true)" data-testid="enable">Enable</button>
                }
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="9" class="muted">No strategies yet: create one on the Strategies page.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>

    <div class="columns">
      <section>
        <h2>Accounts</h2>
        <table>
          <thead>
            <tr>
              <th>Account</th>
              <th class="num">Balance</th>
              <th class="num">Open</th>
            </tr>
          </thead>
          <tbody>
            @for (a of accountRows(); track a.account.id) {
              <tr data-testid="account-row">
                <td>
                  {{ a.account.name }} <span class="muted">{{ a.account.broker }}</span>
                </td>
                <td class="num"><tl-money [value]="a.balance" [sign]="false" /></td>
                <td class="num"><tl-money [value]="a.pnl?.openPnl" /></td>
              </tr>
            }
          </tbody>
        </table>
      </section>
      <section>
        <h2>Working orders</h2>
        <table data-testid="working-orders">
          <thead>
            <tr>
              <th>Order</th>
              <th>Status</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            @for (o of workingOrders(); track o.id) {
              <tr data-testid="working-order">
                <td class="mono">{{ o.side }} {{ o.quantity }} {{ o.ticker }} {{ o.type }} {{ orderPrice(o) }}</td>
                <td>
                  <span class="badge warn">{{ o.status }}</span>
                </td>
                <td class="muted mono nowrap" [title]="zone.format(o.createdAt)">{{ zone.short(o.createdAt, now()) }}</td>
              </tr>
            } @empty {
              <tr>
                <td colspan="3" class="muted">No working orders.</td>
              </tr>
            }
          </tbody>
        </table>
      </section>
    </div>

    <h2>Failed alerts</h2>
    @if (deadLetterError(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (deadLetters().length) {
      <div class="scroll">
        <table class="stack-table" data-testid="dead-letters">
          <thead>
            <tr>
              <th>Strategy</th>
              <th>Received</th>
              <th>Alert</th>
              <th>Why it failed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            @for (e of deadLetters(); track e.id) {
              <tr data-testid="dead-letter">
                <td class="row-title">{{ nameOf(e.strategyId) }}</td>
                <td data-label="Received" class="mono nowrap" [title]="zone.format(e.receivedAt)">{{ zone.short(e.receivedAt, now()) }}</td>
                <td data-label="Alert" class="mono small-text">{{ alertText(e) }}</td>
                <td data-label="Why" class="bad small-text">{{ e.error ?? 'no reason recorded' }}</td>
                <td class="row-actions nowrap">
                  <button type="button" class="small" (click)="retry(e)" data-testid="retry-event">Retry</button>
                  <button type="button" class="small" (click)="dismiss(e)" data-testid="dismiss-event">Dismiss</button>
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    } @else {
      <p class="muted small-text" data-testid="no-dead-letters">None: every accepted alert ran.</p>
    }

    <h2>AutoTrader log</h2>
    <tl-log-stream [strategies]="strategyNames()" />
  `,
})
export class ControlPage {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly zone = inject(TimeZoneService);
  private readonly logStream = viewChild.required(LogStream);

  private readonly strategies = signal<Strategy[]>([]);
  private readonly statuses = signal(new Map<string, { status: StrategyRow['status']; reason: string | null }>());
  private readonly positions = signal<Position[]>([]);
  private readonly accounts = signal<Account[]>([]);
  private readonly pnl = signal(new Map<string, PnlData>());
  private readonly orders = signal<Order[]>([]);
  protected readonly deadLetters = signal<WebhookEventRow[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly deadLetterError = signal<string | null>(null);
  /** Moves once a minute, so "today" in short times follows the clock. */
  protected readonly now = signal(Date.now());
  private readonly reloadDeadLetters = new Subject<void>();

  protected readonly rows = computed<StrategyRow[]>(() => {
    const pnl = this.pnl();
    const statuses = this.statuses();
    return this.strategies().map((strategy) => {
      const status = statuses.get(strategy.id);
      return {
        strategy,
        status: status?.status ?? strategy.status ?? (strategy.enabled ? 'enabled' : 'disabled'),
        reason: status ? status.reason : strategy.statusReason,
        positions: this.positions().filter((p) => p.strategyId === strategy.id && p.quantity !== 0),
        pnl: pnl.get(`strategy|${strategy.id}`) ?? null,
      };
    });
  });
  protected readonly erroredRows = computed(() => this.rows().filter((r) => r.status === 'errored'));

  protected readonly accountRows = computed(() =>
    this.accounts().map((account) => {
      const pnl = this.pnl().get(`account|${account.id}`) ?? null;
      return { account, pnl, balance: account.startingBalance + (pnl?.realizedPnl ?? account.realizedPnl) };
    }),
  );

  protected readonly workingOrders = computed(() => this.orders().filter((o) => o.status === 'working' || o.status === 'pending'));
  protected readonly strategyNames = computed(() => this.strategies().map(({ id, name }) => ({ id, name })));

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.live.start();
    // Load now and after every reconnect: whatever happened while the socket was down is in the reload.
    this.live.reconnected$
      .pipe(
        startWith(undefined),
        switchMap(() =>
          forkJoin({
            strategies: this.api.strategies(),
            positions: this.api.positions({ includeFlat: true }),
            accounts: this.api.accounts(),
            orders: this.api.orders({ status: 'working', limit: 200 }),
            logs: this.api.logs({ limit: 200 }),
          }).pipe(
            catchError((error: unknown) => {
              this.error.set(describeError(error));
              return of(null);
            }),
          ),
        ),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((state) => {
        if (!state) return;
        this.strategies.set(state.strategies);
        // The listing carries each strategy's status: live STRATEGY messages override it from here on.
        this.statuses.set(new Map());
        this.positions.set(state.positions);
        this.accounts.set(state.accounts);
        this.orders.set(state.orders.items);
        this.logStream().reset(state.logs);
        this.pnl.set(initialPnl(state.strategies, state.accounts));
        this.error.set(null);
      });

    // Failed alerts: at start, after a reconnect, and when the engine reports a failure.
    merge(
      this.live.reconnected$.pipe(startWith(undefined)),
      this.reloadDeadLetters,
      this.live.on('LOG').pipe(
        filter((l) => l.category === 'engine' && (l.level === 'warn' || l.level === 'error')),
        debounceTime(RELOAD_DEBOUNCE_MS),
      ),
    )
      .pipe(
        switchMap(() =>
          this.api.events({ status: 'failed', limit: 100 }).pipe(
            catchError((error: unknown) => {
              this.deadLetterError.set(describeError(error));
              return of(null);
            }),
          ),
        ),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((events) => {
        if (!events) return;
        this.deadLetters.set(events);
        this.deadLetterError.set(null);
      });

    interval(60_000)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => this.now.set(Date.now()));

    this.live
      .on('PNL')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((p) => this.pnl.update((map) => new Map(map).set(`${p.scope}|${p.id}`, p)));
    this.live
      .on('POSITION')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((p) =>
        this.positions.update((list) => {
          const next = list.filter((x) => !(x.accountId === p.accountId && x.strategyId === p.strategyId && x.ticker === p.ticker));
          const previous = list.find((x) => x.accountId === p.accountId && x.strategyId === p.strategyId && x.ticker === p.ticker);
          const side = p.quantity > 0 ? 'long' : p.quantity < 0 ? 'short' : 'flat';
          return [
            ...next,
            {
              id: previous?.id ?? `${p.accountId}|${p.strategyId}|${p.ticker}`,
              accountId: p.accountId,
              strategyId: p.strategyId,
              ticker: p.ticker,
              quantity: p.quantity,
              side,
              avgPrice: p.avgPrice,
              markPrice: previous?.markPrice ?? null,
              openPnl: previous?.openPnl ?? null,
              realizedPnl: p.realizedPnl,
              updatedAt: new Date(p.time).toISOString(),
            },
          ];
        }),
      );
    this.live
      .on('ORDER')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((o) =>
        this.orders.update((list) => {
          const others = list.filter((x) => x.id !== o.id);
          const previous = list.find((x) => x.id === o.id);
          const createdAt = previous?.createdAt ?? new Date(o.time).toISOString();
          return [
            {
              ...o,
              limitPrice: previous?.limitPrice ?? null,
              stopPrice: previous?.stopPrice ?? null,
              createdAt,
              updatedAt: new Date(o.time).toISOString(),
            },
            ...others,
          ];
        }),
      );
    this.live
      .on('STRATEGY')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((s) => {
        this.statuses.update((map) => new Map(map).set(s.id, { status: s.status, reason: s.reason }));
        this.strategies.update((list) => {
          const known = list.find((x) => x.id === s.id);
          if (!known) {
            // A strategy made elsewhere: fetch it whole.
            this.api.strategy(s.id).subscribe({
              next: (full) => this.strategies.update((l) => (l.some((x) => x.id === full.id) ? l : [...l, full])),
              error: (e: unknown) => this.error.set(describeError(e)),
            });
            return list;
          }
          return list.map((x) => (x.id === s.id ? { ...x, name: s.name, enabled: s.status === 'enabled' } : x));
        });
      });
    this.live
      .on('LOG')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((l) => {
        this.logStream().add(logLine(l));
        // An accepted alert is the strategy's last signal.
        if (isAcceptedAlert(l)) {
          const at = new Date(l.time).toISOString();
          this.strategies.update((list) => list.map((x) => (x.id === l.strategyId ? { ...x, lastSignalAt: at } : x)));
        }
      });
  }

  protected setEnabled(strategy: Strategy, enabled: boolean): void {
    this.api.updateStrategy(strategy.id, { enabled }).subscribe({
      next: (updated) => {
        this.strategies.update((list) => list.map((s) => (s.id === updated.id ? { ...s, ...updated } : s)));
        this.statuses.update((map) => new Map(map).set(updated.id, { status: updated.status, reason: updated.statusReason }));
      },
      error: (error: unknown) => this.error.set(describeError(error)),
    });
  }

  protected retry(event: WebhookEventRow): void {
    this.api.retryEvent(event.id).subscribe({
      next: () => this.reloadDeadLetters.next(),
      error: (error: unknown) => this.deadLetterError.set(describeError(error)),
    });
  }

  protected dismiss(event: WebhookEventRow): void {
    this.api.dismissEvent(event.id).subscribe({
      next: () => this.reloadDeadLetters.next(),
      error: (error: unknown) => this.deadLetterError.set(describeError(error)),
    });
  }

  protected nameOf(strategyId: string): string {
    return this.strategies().find((s) => s.id === strategyId)?.name ?? strategyId.slice(0, 8);
  }

  protected alertText(event: WebhookEventRow): string {
    const a = event.alert;
    const parts = [a['positionSize'] !== undefined ? `positionSize ${String(a['positionSize'])}` : a['action'], a['quantity'], a['ticker']];
    return parts
      .filter((p) => p !== undefined && p !== null)
      .map(String)
      .join(' ');
  }

  protected positionText(positions: Position[]): string {
    if (!positions.length) return 'flat';
    return positions.map((p) => `${p.quantity > 0 ? '+' : ''}${p.quantity} ${p.ticker} @ ${formatPrice(p.avgPrice, 0.01)}`).join(', ');
  }

  protected orderPrice(o: Order): string {
    if (o.type === 'limit') return `@ ${o.limitPrice ?? ''}`;
    if (o.type === 'stop') return `stop ${o.stopPrice ?? ''}`;
    return '';
  }
}

const fromListing = (scope: 'strategy' | 'account', item: Strategy | Account): PnlData => ({
  scope,
  id: item.id,
  openPnl: item.openPnl,
  realizedPnl: item.realizedPnl,
  todayPnl: item.todayPnl,
  totalPnl: item.totalPnl,
  drawdown: null,
  time: Date.now(),
});

/** The P&L the listings carry, until the first live push. */
function initialPnl(strategies: Strategy[], accounts: Account[]): Map<string, PnlData> {
  return new Map([
    ...strategies.map((s) => [`strategy|${s.id}`, fromListing('strategy', s)] as const),
    ...accounts.map((a) => [`account|${a.id}`, fromListing('account', a)] as const),
  ]);
}
