import { Global, Injectable, Logger, Module } from '@nestjs/common';
import type { ServerMessage, ServerMessageMap, ServerMessageType } from '@tradeloop/contracts';

export type EventListener = (message: ServerMessage) => void;

/**
 * What happened, as `/ws` envelopes: the ledger, execution, strategies and the P&L recorder
 * publish here after their change has committed; the realtime gateway (and, with Redis, the
 * fan-out to other processes) listens. A listener that throws never reaches the publisher.
 */
@Injectable()
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly console = new Logger('EventBus');

  publish<K extends ServerMessageType>(type: K, data: ServerMessageMap[K]): void {
    const message = { type, data } as ServerMessage;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.console.error(`listener failed on ${type}: ${(error as Error).message}`);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

@Global()
@Module({ providers: [EventBus], exports: [EventBus] })
export class EventsModule {}
