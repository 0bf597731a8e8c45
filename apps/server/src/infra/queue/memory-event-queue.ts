import type { EngineEvent, EnqueueOptions, EventHandler, EventQueue } from './event-queue.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS } from './queue.constants.js';

export interface MemoryEventQueueOptions {
  /** Called once an event has failed every attempt. */
  onFailed?: (event: EngineEvent, error: unknown) => void;
  attempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
}

interface Item {
  seq: number;
  event: EngineEvent;
  conflateKey?: string;
  started: boolean;
}

interface Lane {
  /** Items from `head` on are waiting (the one at `head` may be running). */
  items: Item[];
  head: number;
  running?: Promise<void>;
}

/** A lane's finished items are dropped from the front in one slice once this many have piled up (shift() per item is quadratic in a burst). */
const COMPACT_AFTER = 1024;

/**
 * The default queue: in-process, one serial lane per partition key, lanes run concurrently.
 * Nothing survives a restart — accepted webhooks are replayed from the database at start.
 */
export class MemoryEventQueue implements EventQueue {
  readonly driver = 'memory' as const;
  private readonly lanes = new Map<string, Lane>();
  private readonly waiting = new Map<string, Item>();
  private readonly unfinished = new Set<number>();
  private idleWaiters: { upTo: number; resolve: () => void }[] = [];
  private handler?: EventHandler;
  private seq = 0;
  /** No unfinished event is older than this (see oldestUnfinished). */
  private oldest = 1;
  private closed = false;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: MemoryEventQueueOptions = {}) {
    this.attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  }

  async enqueue(partitionKey: string, event: EngineEvent, options: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error('event queue is closed');
    const key = options.conflateKey;
    const pending = key === undefined ? undefined : this.waiting.get(key);
    if (pending && !pending.started) {
      pending.event = event;
      return;
    }
    const item: Item = { seq: ++this.seq, event, conflateKey: key, started: false };
    if (key !== undefined) this.waiting.set(key, item);
    this.unfinished.add(item.seq);
    let lane = this.lanes.get(partitionKey);
    if (!lane) this.lanes.set(partitionKey, (lane = { items: [], head: 0 }));
    lane.items.push(item);
    this.drain(partitionKey, lane);
  }

  accepting(): boolean {
    return !this.closed;
  }

  async process(handler: EventHandler): Promise<void> {
    if (this.handler) throw new Error('event queue already has a handler');
    this.handler = handler;
    for (const [key, lane] of this.lanes) this.drain(key, lane);
  }

  idle(): Promise<void> {
    const upTo = this.seq;
    if (this.oldestUnfinished() > upTo) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ upTo, resolve }));
  }

  /**
   * Every sequence number from 1 on was unfinished once and none comes back, so the oldest one left
   * is found by moving a mark forward: each number is passed once, whatever the backlog (spreading
   * a burst of 100,000 into Math.min overflowed the stack, and was quadratic before that).
   */
  private oldestUnfinished(): number {
    while (this.oldest <= this.seq && !this.unfinished.has(this.oldest)) this.oldest++;
    return this.oldest <= this.seq ? this.oldest : Number.POSITIVE_INFINITY;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.lanes.values()].map((lane) => lane.running));
  }

  private drain(partitionKey: string, lane: Lane): void {
    if (!this.handler || lane.running) return;
    lane.running = (async () => {
      while (lane.head < lane.items.length && !this.closed) {
        const item = lane.items[lane.head];
        item.started = true;
        if (item.conflateKey !== undefined && this.waiting.get(item.conflateKey) === item) this.waiting.delete(item.conflateKey);
        await this.run(item.event);
        lane.head++;
        if (lane.head >= COMPACT_AFTER && lane.head * 2 >= lane.items.length) {
          lane.items = lane.items.slice(lane.head);
          lane.head = 0;
        }
        this.finished(item.seq);
      }
      lane.running = undefined;
      if (lane.head >= lane.items.length) this.lanes.delete(partitionKey);
    })();
  }

  /** Retries in place, so nothing behind it in the lane overtakes a failing event. */
  private async run(event: EngineEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler!(event);
        return;
      } catch (error) {
        if (attempt >= this.attempts || this.closed) {
          this.options.onFailed?.(event, error);
          return;
        }
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  private finished(seq: number): void {
    this.unfinished.delete(seq);
    if (!this.idleWaiters.length) return;
    const oldest = this.oldestUnfinished();
    const ready = this.idleWaiters.filter((w) => oldest > w.upTo);
    if (!ready.length) return;
    this.idleWaiters = this.idleWaiters.filter((w) => !ready.includes(w));
    ready.forEach((w) => w.resolve());
  }
}
