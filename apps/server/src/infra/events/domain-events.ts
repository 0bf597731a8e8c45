import { Injectable, Logger } from '@nestjs/common';
import type { FillData, OrderData, PositionData, TradeData } from '@tradeloop/contracts';
import type { EngineEvent } from '../queue/event-queue.js';

/**
 * The server's internal events: what happened inside this process, for the modules that follow
 * it. They are not `/ws` messages (those are the EventBus's, shaped for clients, and may be
 * relayed between processes); these stay in the process that published them, carry plain data,
 * and are delivered synchronously, after the change they tell of has committed.
 *
 * To follow one, inject `DomainEvents` and call `on` (keep the returned function to stop):
 *
 *     this.stops.push(this.events.on('FillBooked', ({ fill, order }) => ...));
 *
 * A handler that throws is logged and never reaches the publisher or the other handlers; one
 * with slow work starts it and returns (`void this.work().catch(...)`).
 */
export interface DomainEventMap {
  /**
   * A broker fill was booked: the fill, the position it moved and the round trips it closed, in
   * one unit of work with its order row (as it stands after the fill). Published by execution.
   */
  FillBooked: { fill: FillData; position: PositionData; trades: TradeData[]; order: OrderData };
  /** An order left the open statuses: filled, cancelled, rejected or expired. Published by execution. */
  OrderSettled: { order: OrderData };
  /** A strategy was created, changed (settings, script, enabled, halted, errored) or deleted. Published by strategies. */
  StrategyChanged: { strategyId: string };
  /** A script file loaded anew (a save or a change on disk that checks out). Published by scripts. */
  ScriptChanged: { name: string };
  /** An account of this broker was created or changed. Published by accounts; broker plugins re-read theirs. */
  AccountsChanged: { broker: string };
  /** A queued event failed every attempt. Published by the queue; the engine marks it failed. */
  QueueEventFailed: { event: EngineEvent; error: unknown };
}

export type DomainEventType = keyof DomainEventMap;
export type DomainEventHandler<K extends DomainEventType> = (payload: DomainEventMap[K]) => void;

/** The in-process bus of internal events (see DomainEventMap for each event and its publisher). */
@Injectable()
export class DomainEvents {
  private readonly handlers = new Map<DomainEventType, Set<(payload: never) => void>>();
  private readonly console = new Logger('DomainEvents');

  /** Calls `handler` with every `type` event published from now on; returns the function that stops it. */
  on<K extends DomainEventType>(type: K, handler: DomainEventHandler<K>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const entry = handler as (payload: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  publish<K extends DomainEventType>(type: K, payload: DomainEventMap[K]): void {
    for (const handler of this.handlers.get(type) ?? []) {
      try {
        (handler as DomainEventHandler<K>)(payload);
      } catch (error) {
        this.console.error(`a ${type} handler failed: ${(error as Error).message}`);
      }
    }
  }
}
