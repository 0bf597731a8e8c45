import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { PnlData } from '@tradeloop/contracts';
import { forkJoin, startWith, switchMap } from 'rxjs';
import { ApiService, describeError, type Account, type LogLine, type Order, type Position, type Strategy } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';
import { Money } from '../shared/money';
import { LogStream } from './log-stream';

interface StrategyRow {
  strategy: Strategy;
  status: 'enabled' | 'disabled' | 'errored';
  reason: string | null;
  positions: Position[];
  pnl: PnlData | null;
}

/**
 * One live row per strategy, account balances, working orders and the log of everything: the
 * page a trader keeps open. REST loads the state; `/ws` keeps it moving; a reconnect reloads it.
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

    <h2>Strategies</h2>
    <div class="scroll">
      <table data-testid="control-strategies">
        <thead>
          <tr>
            <th>Strategy</th>
            <th>On</th>
            <th>Position</th>
            <th class="num">Open</th>
            <th class="num">Today</th>
            <th class="num">Total</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (row of rows(); track row.strategy.id) {
            <tr data-testid="control-row" [attr.data-strategy]="row.strategy.name" [class.errored]="row.status === 'errored'">
              <td>{{ row.strategy.name }}</td>
              <td>
                <input
                  type="checkbox"
                  [checked]="row.strategy.enabled"
                  (change)="setEnabled(row.strategy, $any($event.target).checked)"
                  [attr.aria-label]="'Enable ' + row.strategy.name"
                  data-testid="toggle-enabled"
                />
              </td>
              <td class="mono" data-testid="row-position">{{ positionText(row.positions) }}</td>
              <td class="num" data-testid="row-open"><tl-money [value]="row.pnl?.openPnl" /></td>
              <td class="num" data-testid="row-today"><tl-money [value]="row.pnl?.todayPnl" /></td>
              <td class="num" data-testid="row-total"><tl-money [value]="row.pnl?.totalPnl ?? row.pnl?.realizedPnl" /></td>
              <td>
                <span
                  class="badge"
                  [class]="row.status === 'enabled' ? 'good' : row.status === 'errored' ? 'bad' : 'warn'"
                  [title]="row.reason ?? ''"
                  >{{ row.status }}</span
                >
                @if (row.reason) {
                  <span class="bad small-text">{{ row.reason }}</span>
                }
              </td>
              <td>
                @if (row.strategy.enabled) {
                  <button type="button" class="small" (click)="setEnabled(row.strategy, false)">Disable</button>
                }
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="8" class="muted">No strategies yet: create one on the Strategies page.</td>
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
                <td class="muted mono">{{ zone.format(o.createdAt) }}</td>
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
  protected readonly error = signal<string | null>(null);

  protected readonly rows = computed<StrategyRow[]>(() => {
    const pnl = this.pnl();
    const statuses = this.statuses();
    return this.strategies().map((strategy) => {
      const status = statuses.get(strategy.id);
      return {
        strategy,
        status: status?.status ?? (strategy.enabled ? 'enabled' : 'disabled'),
        reason: status?.reason ?? null,
        positions: this.positions().filter((p) => p.strategyId === strategy.id && p.quantity !== 0),
        pnl: pnl.get(`strategy|${strategy.id}`) ?? null,
      };
    });
  });

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
          }),
        ),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe({
        next: (state) => {
          this.strategies.set(state.strategies);
          this.positions.set(state.positions);
          this.accounts.set(state.accounts);
          this.orders.set(state.orders.items);
          this.logStream().reset(state.logs);
          this.pnl.set(initialPnl(state.strategies, state.accounts));
          this.error.set(null);
        },
        error: (error: unknown) => this.error.set(describeError(error)),
      });

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
              error: () => undefined,
            });
            return list;
          }
          return list.map((x) => (x.id === s.id ? { ...x, name: s.name, enabled: s.status === 'enabled' } : x));
        });
      });
    this.live
      .on('LOG')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((l) =>
        this.logStream().add({ ...l, id: l.id ?? Date.now(), time: new Date(l.time).toISOString(), context: null } as LogLine),
      );
  }

  protected setEnabled(strategy: Strategy, enabled: boolean): void {
    this.api.updateStrategy(strategy.id, { enabled }).subscribe({
      next: (updated) => this.strategies.update((list) => list.map((s) => (s.id === updated.id ? updated : s))),
      error: (error: unknown) => this.error.set(describeError(error)),
    });
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
