import type { Quote } from '@tradeloop/contracts';

/** What the engine handles, one at a time per strategy. */
export type EngineEvent = { type: 'webhook'; strategyId: string; eventId: string } | { type: 'tick'; strategyId: string; quote: Quote };

export interface EnqueueOptions {
  /**
   * While an event with the same key waits (not yet started), a new one replaces its payload in
   * place instead of queueing behind it: a strategy's pending tick for a ticker becomes the newest.
   */
  conflateKey?: string;
}

export type EventHandler = (event: EngineEvent) => Promise<void>;

export interface EventQueue {
  readonly driver: 'memory' | 'bullmq';
  /** Events with the same partition key are handled strictly in enqueue order, one at a time. */
  enqueue(partitionKey: string, event: EngineEvent, options?: EnqueueOptions): Promise<void>;
  /**
   * Whether an enqueue now would reach the queue: false once closed, or while Redis is
   * unreachable. The webhook answers 503 at once then, instead of hanging until TradingView gives up.
   */
  accepting(): boolean;
  /** Registers the single handler and starts consuming. */
  process(handler: EventHandler): Promise<void>;
  /** Resolves once every event enqueued before the call has been handled (or has failed for good). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
