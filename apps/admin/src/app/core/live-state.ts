import { DestroyRef, Injector, computed, inject, signal, type Signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import type { ServerMessageMap, ServerMessageType } from '@tradeloop/contracts';
import { EMPTY, type Observable, Subject, catchError, filter, map, merge, of, switchMap, tap } from 'rxjs';
import { describeError } from './api.service';
import { LiveService } from './live.service';

/** How each kind of `/ws` message moves the state: the next state, or the same one when it changes nothing. */
export type LiveDeltas<T> = { [K in ServerMessageType]?: (state: T, data: ServerMessageMap[K]) => T };

/** What a page's state needs from the live stream (the admin's one socket). */
export type LiveSource = Pick<LiveService, 'on' | 'reconnected$'>;

export interface LiveStateOptions<T, P> {
  /** What the load depends on (signals read here); a change loads again. Without it the state loads once. */
  params?: () => P;
  /** The REST load for these params; null when there is nothing to load (yet). */
  load: (params: P) => Observable<T> | null;
  /** Live messages as deltas on the loaded state; they wait for the first load (nothing to apply them to before). */
  deltas?: LiveDeltas<T>;
  /** More reasons to load again: messages whose effect the state cannot work out by itself (a trade moves statistics). */
  reloadOn?: Observable<unknown>;
  /**
   * True when a change of params must show nothing until its load answers (another strategy's
   * numbers, not the last one's, even for a moment). Otherwise the value shown stays until then.
   */
  clearWhen?: (previous: P, next: P) => boolean;
  /** Told each loaded value, before deltas move it. */
  onLoad?: (value: T, params: P) => void;
}

export interface LiveState<T> {
  /** As loaded and moved since; null until the first load answers. */
  readonly value: Signal<T | null>;
  /** Why the last load failed, in words; null once one succeeds. The value shown stays meanwhile. */
  readonly error: Signal<string | null>;
  /** A load is on its way. */
  readonly loading: Signal<boolean>;
  /** Load again now (after the page's own change, say). */
  reload(): void;
  /** A change the page knows of first (the answer to its own request); nothing before the first load. */
  update(change: (value: T) => T): void;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * State loaded over REST and kept current by `/ws`: loaded at once (and whenever its params
 * change), moved by live messages in between, and loaded again after every reconnect — whatever
 * happened while the socket was down is in the answer, so no delta is lost for good. A newer
 * load supersedes one still on its way. Call it in an injection context (a component's
 * constructor or field): it ends with the component.
 */
export function liveState<T, P = void>(options: LiveStateOptions<T, P>): LiveState<T> {
  const live: LiveSource = inject(LiveService);
  const destroyRef = inject(DestroyRef);
  const injector = inject(Injector);
  const value = signal<T | null>(null);
  const error = signal<string | null>(null);
  const loading = signal(false);
  const reloads = new Subject<void>();

  let current: { params: P } | null = null;
  const params$: Observable<P> = options.params ? toObservable(computed(options.params), { injector }) : of(undefined as P);
  const changes$ = params$.pipe(
    tap((params) => {
      if (current && options.clearWhen?.(current.params, params)) {
        // What is shown, and why it could not be loaded, were about the params before.
        value.set(null);
        error.set(null);
      }
      current = { params };
    }),
  );
  const again$ = merge(live.reconnected$, reloads, options.reloadOn ?? EMPTY).pipe(
    filter(() => current !== null),
    map(() => current!.params),
  );

  merge(changes$, again$)
    .pipe(
      switchMap((params) => {
        const call = options.load(params);
        loading.set(call !== null);
        if (!call) return EMPTY;
        return call.pipe(
          map((loaded): Outcome<T> => ({ ok: true, value: loaded })),
          catchError((e: unknown) => of<Outcome<T>>({ ok: false, error: describeError(e) })),
          map((outcome) => ({ outcome, params })),
        );
      }),
      takeUntilDestroyed(destroyRef),
    )
    .subscribe(({ outcome, params }) => {
      loading.set(false);
      if (!outcome.ok) {
        error.set(outcome.error);
        return;
      }
      error.set(null);
      options.onLoad?.(outcome.value, params);
      value.set(outcome.value);
    });

  const deltas = options.deltas ?? {};
  const moves = (Object.keys(deltas) as ServerMessageType[]).map((type) => {
    const apply = deltas[type] as (state: T, data: unknown) => T;
    return live.on(type).pipe(map((data) => (state: T) => apply(state, data)));
  });
  merge(...moves)
    .pipe(takeUntilDestroyed(destroyRef))
    .subscribe((move) => value.update((state) => (state === null ? state : move(state))));

  return {
    value: value.asReadonly(),
    error: error.asReadonly(),
    loading: loading.asReadonly(),
    reload: () => reloads.next(),
    update: (change) => value.update((state) => (state === null ? state : change(state))),
  };
}
