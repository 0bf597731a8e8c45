import { Injectable, Logger } from '@nestjs/common';
import type { EventOrigin } from './event-bus.js';

/**
 * What one server process tells the others, and nobody else: ticker watches for the process that
 * runs the feeds, watchlist and account-rules edits, and the answers to commands a worker carried out.
 */
export type ProcessNote =
  | { kind: 'watch'; process: string; tickers: string[]; watching: boolean }
  | { kind: 'resync'; process: string }
  /** The watchlist was edited in another process: read it again. */
  | { kind: 'watchlist'; process: string }
  /** An account's prop-firm rules were set or removed, or its locks changed: read its row again. */
  | { kind: 'account-rules'; accountId: string }
  | { kind: 'command-result'; commandId: string; ok: true; result: unknown }
  | { kind: 'command-result'; commandId: string; ok: false; status: number; message: string };

export type NoteListener = (note: ProcessNote, origin: EventOrigin) => void;

/**
 * Notes between server processes: delivered in this process at once and, with Redis, relayed to
 * every other one (`RedisEventBridge`). They are not `/ws` messages — no client ever sees them —
 * and not internal events (those never leave their process).
 */
@Injectable()
export class ProcessNotes {
  private readonly listeners = new Set<NoteListener>();
  private readonly console = new Logger('ProcessNotes');

  publish(note: ProcessNote): void {
    this.deliver(note, 'local');
  }

  /** Hands a note to this process's listeners (the relay calls it with notes from other processes). */
  deliver(note: ProcessNote, origin: EventOrigin): void {
    for (const listener of this.listeners) {
      try {
        listener(note, origin);
      } catch (error) {
        this.console.error(`listener failed on a ${note.kind} note: ${(error as Error).message}`);
      }
    }
  }

  /** Returns the function that stops it. */
  subscribe(listener: NoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
