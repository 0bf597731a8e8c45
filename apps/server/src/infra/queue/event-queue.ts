import type { Quote } from '@tradeloop/contracts';

/**
 * What the engine handles, one at a time per strategy. `eventId` keys the orders an event causes
 * (`<eventId>:<n>`), so a redelivered event never orders twice: a webhook's is its stored
 * WebhookEvent, the others get one when they are enqueued.
 */
export type EngineEvent =
  /**
   * `stamps`: the intake's times for the execution timeline (absent on a replay). `accepted`: see
   * AcceptedAlert. `durable`: an alert handed over as its transaction committed, before its log
   * was synced (in-process queue only): true once it is, false if that failed (the sender was
   * told so, and the stored row is replayed at the next start). Orders need not wait for it, as
   * the sync each order waits for covers the alert; whatever else reaches beyond this process does.
   */
  | { type: 'webhook'; strategyId: string; eventId: string; stamps?: IntakeStamps; accepted?: AcceptedAlert; durable?: Promise<boolean> }
  /** A quote for a scripted strategy that watches the ticker; conflated per strategy and ticker. */
  | { type: 'tick'; strategyId: string; eventId: string; quote: Quote }
  /** A fill the ledger booked for a scripted strategy. */
  | { type: 'fill'; strategyId: string; eventId: string; fillId: string }
  /** A scripted strategy's schedule (`every`) came due; `time` is the scheduled instant (epoch ms). */
  | { type: 'timer'; strategyId: string; eventId: string; time: number }
  /** A trader's command taken by an api process for a worker to carry out; `strategyId` is the partition (`commands`). */
  | { type: 'command'; strategyId: string; eventId: string; command: TradingCommand };

/** When the HTTP request arrived and when the alert's transaction committed (epoch ms), and the quote (mid) at that moment. */
export interface IntakeStamps {
  receivedAt: number;
  acceptedAt: number;
  quote?: { ticker: string; price: number };
}

/**
 * The alert as the intake committed it (status `accepted`), handed by the in-process queue to the
 * engine, which then need not read back the row it would find just so. Never put on Redis (a
 * redelivered job must read the row, which may be done by then); the engine takes it once, so a
 * retry reads the row too.
 */
export interface AcceptedAlert {
  alert: string;
  receivedAt: number;
  idempotencyKey: string | null;
}

/** What an api process hands a worker: a TradingService operation and its arguments. */
export interface TradingCommand {
  op: 'placeOrder' | 'cancelOrder' | 'flatten' | 'reverse' | 'engageKillSwitch' | 'releaseKillSwitch';
  args: unknown[];
}

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
