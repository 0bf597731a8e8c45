import type { HostOperation } from './protocol.js';
import type { SandboxUsage } from './sandbox-usage.js';

export interface Request {
  id: number;
  op: HostOperation;
  /** The strategy it is for; null for checks and stats. */
  key: string | null;
  /** 0 first: alerts, fills, timers, loads; 1: ticks, which are conflated and can wait. */
  priority: 0 | 1;
  /** The process generation it was meant for: a request never reaches a host it was not loaded in. */
  generation: number;
  payload: Record<string, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** What it was expected to take when sent (ms). */
  expectedMs?: number;
  /** The message it was sent in. */
  batch?: number;
  /** Sent with `hold`: its answer may travel with the next ones. */
  hold?: boolean;
}

export interface PendingCallsOptions {
  /** Requests sent ahead of their answers, at most. */
  window: number;
  /** How much work (ms, by each strategy's average call) may be sent ahead at once. */
  aheadMs: number;
  /** `oldest` first, or the strategy that used the `least` sandbox time lately. */
  order?: 'oldest' | 'least';
  usage: SandboxUsage;
}

/**
 * The requests of one host: those waiting their turn, and those sent and not answered yet (in the
 * order the host runs them). Picks the next to send — by priority, then oldest first or least
 * sandbox time used lately — while the window and the work sent ahead allow.
 */
export class PendingCalls {
  /** Not sent yet: the next one is picked by priority, then oldest first or least sandbox time used lately (see next()). */
  private waiting: Request[] = [];
  /** Sent and unanswered, in the order the host runs them. */
  private readonly sent = new Map<number, Request>();
  /** Expected ms of the requests sent and not answered. */
  private inFlightMs = 0;
  /** Waiting requests of priority 0. */
  private urgent = 0;

  constructor(private readonly options: PendingCallsOptions) {}

  /** Requests not answered yet: sent, or waiting their turn. */
  get size(): number {
    return this.sent.size + this.waiting.length;
  }

  get sentCount(): number {
    return this.sent.size;
  }

  add(request: Request): void {
    if (request.priority === 0) this.urgent++;
    this.waiting.push(request);
  }

  /**
   * The next request to send to the host of `generation`, now marked as sent; undefined when the
   * window is full, the work ahead is enough, or nothing waits. A request meant for an earlier
   * host is handed to `stale` and skipped.
   */
  takeNext(generation: number, stale: (request: Request) => void): Request | undefined {
    while (this.sent.size < this.options.window && this.waiting.length) {
      const index = this.next();
      const request = this.waiting[index];
      if (request.generation !== generation) {
        this.take(index);
        stale(request);
        continue;
      }
      request.expectedMs = this.expectedMs(request);
      if (this.sent.size > 0 && this.inFlightMs + request.expectedMs > this.options.aheadMs) return undefined;
      this.take(index);
      this.inFlightMs += request.expectedMs;
      this.sent.set(request.id, request);
      return request;
    }
    return undefined;
  }

  /** A sent request left the host (answered, or never delivered): the request, or undefined if it already had. */
  settle(id: number): Request | undefined {
    const request = this.sent.get(id);
    if (!request) return undefined;
    this.sent.delete(id);
    this.inFlightMs = this.sent.size === 0 ? 0 : Math.max(0, this.inFlightMs - (request.expectedMs ?? 0));
    return request;
  }

  /** The oldest unanswered request: the one the host is running now. */
  head(): Request | undefined {
    return this.sent.values().next().value;
  }

  /** Every request, sent (in order) and waiting; none is kept. */
  drain(): { sent: Request[]; waiting: Request[] } {
    const sent = [...this.sent.values()];
    this.sent.clear();
    this.inFlightMs = 0;
    return { sent, waiting: this.drainWaiting() };
  }

  /** The requests not sent yet; none is kept. */
  drainWaiting(): Request[] {
    const waiting = this.waiting;
    this.waiting = [];
    this.urgent = 0;
    return waiting;
  }

  private take(index: number): void {
    if (this.waiting.splice(index, 1)[0].priority === 0) this.urgent--;
  }

  /** What a request is expected to take: the strategy's average call; other requests count as quick. */
  private expectedMs(request: Request): number {
    return request.op === 'call' && request.key !== null ? Math.max(0.02, this.options.usage.averageMs(request.key)) : 0.02;
  }

  /**
   * The waiting request to send next: first by priority, then the oldest — or, in `order: 'least'`,
   * the strategy that used the least sandbox time lately, keeping each strategy's own order. (A
   * strategy has one event in hand at a time, so its requests rarely wait side by side.)
   */
  private next(): number {
    if (this.options.order !== 'least') {
      const first = this.urgent === 0 ? -1 : this.waiting.findIndex((r) => r.priority === 0);
      return first < 0 ? 0 : first;
    }
    let best = 0;
    let bestUsage = Infinity;
    const seen = new Set<string>();
    for (let i = 0; i < this.waiting.length; i++) {
      const request = this.waiting[i];
      if (request.key !== null) {
        if (seen.has(request.key)) continue;
        seen.add(request.key);
      }
      const used = this.options.usage.recent(request.key);
      const chosen = this.waiting[best];
      if (i === 0 || request.priority < chosen.priority || (request.priority === chosen.priority && used < bestUsage)) {
        best = i;
        bestUsage = used;
      }
    }
    return best;
  }
}
