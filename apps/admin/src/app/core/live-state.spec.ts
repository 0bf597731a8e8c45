import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { PnlData, ServerMessage, ServerMessageMap, ServerMessageType, TradeData } from '@tradeloop/contracts';
import { type Observable, Subject, filter, map } from 'rxjs';
import { type LiveSource, type LiveState, type LiveStateOptions, liveState } from './live-state';
import { LiveService } from './live.service';

/** The admin's socket as the state sees it: messages and reconnects, pushed by the test. */
class Socket implements LiveSource {
  private readonly messages = new Subject<ServerMessage>();
  private readonly reconnects = new Subject<void>();
  readonly reconnected$ = this.reconnects.asObservable();

  on<K extends ServerMessageType>(type: K): Observable<ServerMessageMap[K]> {
    return this.messages.pipe(
      filter((m): m is Extract<ServerMessage, { type: K }> => m.type === type),
      map((m) => m.data as ServerMessageMap[K]),
    );
  }

  send(message: ServerMessage): void {
    this.messages.next(message);
  }

  reconnect(): void {
    this.reconnects.next();
  }
}

/** A REST endpoint whose answers the test gives, one request at a time. */
class Endpoint<T> {
  readonly requests: { params: unknown; answer: Subject<T> }[] = [];

  call(params: unknown): Observable<T> {
    const answer = new Subject<T>();
    this.requests.push({ params, answer });
    return answer;
  }

  /** Answers the newest request. */
  answer(value: T): void {
    const last = this.requests[this.requests.length - 1].answer;
    last.next(value);
    last.complete();
  }

  fail(status: number, message: string): void {
    this.requests[this.requests.length - 1].answer.error(new HttpErrorResponse({ status, error: { message }, url: '/api/things' }));
  }
}

const pnl = (id: string, totalPnl: number): PnlData => ({
  scope: 'strategy',
  id,
  openPnl: 0,
  realizedPnl: totalPnl,
  todayPnl: totalPnl,
  totalPnl,
  drawdown: 0,
  time: 1,
});

const trade = (strategyId: string): TradeData => ({
  id: 't1',
  accountId: 'a',
  strategyId,
  ticker: 'NQ1!',
  direction: 'long',
  quantity: 1,
  entryPrice: 25000,
  exitPrice: 25001,
  entryTime: 1,
  exitTime: 2,
  pnl: 20,
  entryPriceSource: 'alert',
  exitPriceSource: 'alert',
});

/** Totals by strategy id, as a page would keep them. */
type Totals = Record<string, number>;

describe('liveState: load, then apply live deltas', () => {
  let socket: Socket;

  beforeEach(() => {
    socket = new Socket();
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), { provide: LiveService, useValue: socket }] });
  });

  /** A component that keeps one live state, as a page does; destroying it ends the state. */
  function host<T, P>(options: () => LiveStateOptions<T, P>) {
    @Component({ selector: 'tl-host', template: '', changeDetection: ChangeDetectionStrategy.OnPush })
    class Host {
      readonly state: LiveState<T> = liveState(options());
    }
    const fixture = TestBed.createComponent(Host);
    return { state: fixture.componentInstance.state, fixture };
  }

  const totals = (endpoint: Endpoint<Totals>, extra: Partial<LiveStateOptions<Totals, void>> = {}) =>
    host<Totals, void>(() => ({
      load: () => endpoint.call(undefined),
      deltas: { PNL: (state, p) => (p.totalPnl === null ? state : { ...state, [p.id]: p.totalPnl }) },
      ...extra,
    }));

  it('loads at once, then moves with each live message; messages before the first answer have nothing to move', () => {
    const endpoint = new Endpoint<Totals>();
    const { state } = totals(endpoint);
    expect(endpoint.requests.length).toBe(1);
    expect(state.loading()).toBe(true);
    socket.send({ type: 'PNL', data: pnl('a', 5) });
    expect(state.value()).toBeNull();

    endpoint.answer({ a: 10, b: 20 });
    expect(state.loading()).toBe(false);
    expect(state.value()).toEqual({ a: 10, b: 20 });
    socket.send({ type: 'PNL', data: pnl('a', 12.5) });
    socket.send({ type: 'TRADE', data: trade('a') });
    expect(state.value()).toEqual({ a: 12.5, b: 20 });
  });

  it('loads again after a reconnect, and what was missed while the socket was down is in the answer', () => {
    const endpoint = new Endpoint<Totals>();
    const { state } = totals(endpoint);
    endpoint.answer({ a: 10 });
    // The socket was down: the push that moved `a` to 30 never came.
    socket.reconnect();
    expect(endpoint.requests.length).toBe(2);
    // The value shown stays while the reload is on its way.
    expect(state.value()).toEqual({ a: 10 });
    endpoint.answer({ a: 30 });
    expect(state.value()).toEqual({ a: 30 });
  });

  it('keeps only the newest load: an older answer arriving late is never shown', () => {
    const endpoint = new Endpoint<Totals>();
    const { state } = totals(endpoint);
    const first = endpoint.requests[0].answer;
    socket.reconnect();
    endpoint.answer({ a: 2 });
    first.next({ a: 1 });
    expect(state.value()).toEqual({ a: 2 });
  });

  it('says in words why a load failed, keeps what it showed, and clears the error once a load succeeds', () => {
    const endpoint = new Endpoint<Totals>();
    const { state } = totals(endpoint);
    endpoint.answer({ a: 10 });
    socket.reconnect();
    endpoint.fail(503, 'the database is busy');
    expect(state.error()).toBe('The server answered 503: the database is busy');
    expect(state.value()).toEqual({ a: 10 });
    // It keeps listening: a delta still moves what is shown, and the next reconnect loads again.
    socket.send({ type: 'PNL', data: pnl('a', 11) });
    expect(state.value()).toEqual({ a: 11 });
    socket.reconnect();
    endpoint.answer({ a: 12 });
    expect(state.error()).toBeNull();
    expect(state.value()).toEqual({ a: 12 });
  });

  it('loads again on its own triggers and on reload(); a change of its own moves the value at once', () => {
    const endpoint = new Endpoint<Totals>();
    const trades = new Subject<void>();
    const { state } = totals(endpoint, { reloadOn: trades });
    endpoint.answer({ a: 10 });
    trades.next();
    expect(endpoint.requests.length).toBe(2);
    endpoint.answer({ a: 40 });
    state.reload();
    expect(endpoint.requests.length).toBe(3);
    endpoint.answer({ a: 41 });
    state.update((t) => ({ ...t, b: 1 }));
    expect(state.value()).toEqual({ a: 41, b: 1 });
  });

  it('loads for its params, again when they change, and clears what it shows only when told to', async () => {
    const endpoint = new Endpoint<Totals>();
    const strategyId = signal('a');
    const range = signal('1D');
    const loaded: string[] = [];
    const { state, fixture } = host(() => ({
      params: () => ({ strategyId: strategyId(), range: range() }),
      load: (p: { strategyId: string; range: string }) => endpoint.call(p),
      clearWhen: (before, after) => before.strategyId !== after.strategyId,
      onLoad: (_value, p) => loaded.push(`${p.strategyId} ${p.range}`),
    }));
    await fixture.whenStable();
    expect(endpoint.requests.map((r) => r.params)).toEqual([{ strategyId: 'a', range: '1D' }]);
    endpoint.answer({ a: 1 });

    // Another range of the same strategy: the old chart stays until the new one arrives.
    range.set('1W');
    await fixture.whenStable();
    expect(endpoint.requests[1].params).toEqual({ strategyId: 'a', range: '1W' });
    expect(state.value()).toEqual({ a: 1 });
    endpoint.answer({ a: 2 });

    // A failed reload of strategy a says so and keeps its chart…
    socket.reconnect();
    endpoint.fail(500, 'boom');
    expect([state.value(), state.error()]).toEqual([{ a: 2 }, 'The server answered 500: boom']);

    // …another strategy shows nothing of the last one's, not even its error, until its own answer.
    strategyId.set('b');
    await fixture.whenStable();
    expect([state.value(), state.error()]).toEqual([null, null]);
    endpoint.answer({ b: 3 });
    expect(state.value()).toEqual({ b: 3 });

    // A reconnect loads the params in force.
    socket.reconnect();
    expect(endpoint.requests[4].params).toEqual({ strategyId: 'b', range: '1W' });
    expect(loaded).toEqual(['a 1D', 'a 1W', 'b 1W']);
  });

  it('loads nothing while its params say there is nothing to load', async () => {
    const endpoint = new Endpoint<Totals>();
    const day = signal<string | null>(null);
    const { state, fixture } = host(() => ({
      params: day,
      load: (d: string | null) => (d ? endpoint.call(d) : null),
    }));
    await fixture.whenStable();
    socket.reconnect();
    expect(endpoint.requests.length).toBe(0);
    expect(state.loading()).toBe(false);
    day.set('2026-11-03');
    await fixture.whenStable();
    expect(endpoint.requests.map((r) => r.params)).toEqual(['2026-11-03']);
  });

  it('ends with its component: no loads and no deltas after it is gone', () => {
    const endpoint = new Endpoint<Totals>();
    const { state, fixture } = totals(endpoint);
    endpoint.answer({ a: 10 });
    fixture.destroy();
    socket.reconnect();
    socket.send({ type: 'PNL', data: pnl('a', 99) });
    expect(endpoint.requests.length).toBe(1);
    expect(state.value()).toEqual({ a: 10 });
  });

  it('ends a load on its way with its component', () => {
    const endpoint = new Endpoint<Totals>();
    const { fixture } = totals(endpoint);
    const answer = endpoint.requests[0].answer;
    expect(answer.observed).toBe(true);
    fixture.destroy();
    // Unsubscribed: an HTTP request would be cancelled.
    expect(answer.observed).toBe(false);
  });
});
