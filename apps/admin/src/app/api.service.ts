import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, catchError, map, of, startWith } from 'rxjs';

export interface PluginStatus {
  name: string;
  /** One kind, or both (`["broker", "datafeed"]`) for a plugin that is a broker and a data feed. */
  kind: string | string[] | null;
  displayName?: string;
  status: string;
  error?: string | null;
}

export interface Health {
  status: string;
  version: string;
  uptimeSeconds: number;
  database: { type: string; ok: boolean };
  queue: { driver: string };
  plugins: PluginStatus[];
}

export interface Strategy {
  id: string;
  name: string;
  enabled: boolean;
  accountId: string | null;
  defaultQuantity: number | string | null;
  webhookUrl: string;
  createdAt: string;
}

/** Every call the admin makes to the Tradeloop server. */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  health(): Observable<Health> {
    return this.http.get<Health>('/api/health');
  }

  strategies(): Observable<Strategy[]> {
    return this.http.get<Strategy[]>('/api/strategies');
  }
}

/** A plain-words reason for a failed call, for the page to show. */
export function describeError(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return `Cannot reach the server: no answer from ${error.url ?? 'the API'} (is Tradeloop running?)`;
    const body: unknown = error.error;
    const detail =
      body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : error.statusText;
    return `The server answered ${error.status}: ${detail}`;
  }
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

/** Where a call stands, for templates to switch on. */
export type Loadable<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; message: string };

/** Turns a call into loading → ok | error, starting synchronously with `loading` (so `toSignal(..., { requireSync: true })` works). */
export function loadable<T>(source: Observable<T>): Observable<Loadable<T>> {
  return source.pipe(
    map((value): Loadable<T> => ({ state: 'ok', value })),
    catchError((error: unknown) => of<Loadable<T>>({ state: 'error', message: describeError(error) })),
    startWith<Loadable<T>>({ state: 'loading' }),
  );
}
