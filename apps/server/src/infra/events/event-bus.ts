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
  /** Messages for this process's listeners only: not relayed to other processes. */
  private readonly localOnly = new WeakSet<ServerMessage>();
  private readonly console = new Logger('EventBus');

  /** `relay: false` keeps the message in this process (each process derives it for itself). */
  publish<K extends ServerMessageType>(type: K, data: ServerMessageMap[K], options: { relay?: boolean } = {}): void {
    const message = { type, data } as ServerMessage;
    if (options.relay === false) this.localOnly.add(message);
    this.deliver(message, 'local');
  }

  /** Whether other processes get this message (through Redis) too. */
  relayable(message: ServerMessage): boolean {
    return !this.localOnly.has(message);
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
