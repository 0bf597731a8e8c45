import { redact, type BrokerContext, type PluginLogger } from '@tradeloop/contracts';
import type { SessionPool } from './pool.js';
import type { TradovateSettings } from './settings.js';

/** What every part of the broker shares: its context, settings, sessions, log, and one event queue. */
export class BrokerKit {
  /** Events are handled one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ctx: BrokerContext,
    readonly settings: TradovateSettings,
    readonly pool: SessionPool,
    readonly logger: PluginLogger,
  ) {}

  /** A message with every known secret replaced. */
  redact(text: string): string {
    return redact(text, this.pool.secrets());
  }

  safe(error: unknown): string {
    return this.redact(error instanceof Error ? error.message : String(error));
  }

  enqueue(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(task)
      .catch((error: unknown) => this.logger.error(`handling a Tradovate event failed: ${this.safe(error)}`));
  }

  /** Resolves once every event queued so far has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` or the time is up; true when done. */
export async function waitUntil(done: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await pause(stepMs);
  }
  return true;
}
