import { Injectable, Logger } from '@nestjs/common';
import type { ServerMessage, ServerMessageMap, ServerMessageType } from '@tradeloop/contracts';

/** `local`: published in this process. `remote`: relayed from another process through Redis. */
export type EventOrigin = 'local' | 'remote';
export type EventListener = (message: ServerMessage, origin: EventOrigin) => void;

/**
 * What happened, as `/ws` envelopes: the ledger, execution, strategies, the market and the P&L
 * services publish here once their change has committed; the realtime gateway (and, with Redis,
 * the relay to other processes) listens. A listener that throws never reaches the publisher.
 */
@Injectable()
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly console = new Logger('EventBus');

  publish<K extends ServerMessageType>(type: K, data: ServerMessageMap[K]): void {
    this.deliver({ type, data } as ServerMessage, 'local');
  }

  /** Hands a message from another process to this one's listeners. */
  deliver(message: ServerMessage, origin: EventOrigin): void {
    for (const listener of this.listeners) {
      try {
        listener(message, origin);
      } catch (error) {
        this.console.error(`listener failed on ${message.type}: ${(error as Error).message}`);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
