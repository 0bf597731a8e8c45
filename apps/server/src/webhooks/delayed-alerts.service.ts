import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';
import { maybeNum, Statements } from '../database/statements.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { LogsService } from '../logs/logs.service.js';
import { WebhookEvent } from './webhook-event.entity.js';

/** How often due alerts are looked for: a delay is kept to within this. */
const POLL_MS = 250;
/** A due alert released later than this (the server was down) says so in the log. */
const LATE_MS = 5000;

/**
 * The due delayed alerts, earliest first, a seek on the (status, notBefore) index. Asked four times
 * a second by every server, nearly always for nothing: prepared once, not built by the ORM each
 * time (that took about a millisecond of the event loop, in front of whatever alert came then).
 */
export const DUE_DELAYED =
  'SELECT "id", "strategyId", "notBefore" FROM "webhook_events" WHERE "status" = \'delayed\' AND "notBefore" <= ? ORDER BY "notBefore" LIMIT 100';

/**
 * Alerts with a `delay` wait in the database (status `delayed`, due at `notBefore`), not in a
 * timer: a restart during the delay neither loses nor repeats them. When due, each is claimed
 * (`delayed` → `accepted`, one process wins) and queued like any accepted alert; its orders keep
 * their event-derived ids, so even a second queueing could not order twice.
 */
@Injectable()
export class DelayedAlertsService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly console = new Logger('Delays');

  constructor(
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly database: DatabaseService,
    private readonly statements: Statements,
    private readonly logs: LogsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.release(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    // A release under way finishes before the database closes.
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Queues the delayed alerts that are due; returns how many this process claimed. */
  async release(now = Date.now()): Promise<number> {
    if (this.running || !this.queue.accepting()) return 0;
    this.running = true;
    let released = 0;
    try {
      const rows = await this.statements.all<{ id: string; strategyId: string; notBefore: unknown }>(undefined, DUE_DELAYED, [now]);
      for (const row of rows) {
        const event = { id: row.id, strategyId: row.strategyId, notBefore: maybeNum(row.notBefore) };
        const claimed = await this.database.transaction(async (m) => {
          const result = await m.update(WebhookEvent, { id: event.id, status: 'delayed' }, { status: 'accepted' });
          if (!result.affected) return false;
          const late = now - (event.notBefore ?? now);
          await this.logs.write(
            {
              level: late > LATE_MS ? 'warn' : 'info',
              category: 'webhook',
              strategyId: event.strategyId,
              message:
                `delayed alert due: queued (event ${event.id})` +
                (late > LATE_MS ? `, ${Math.round(late / 1000)} s after its time: the server was not running then` : ''),
              context: { eventId: event.id },
            },
            m,
          );
          return true;
        });
        if (!claimed) continue;
        released++;
        // On disk as accepted already: a queue that fails now is caught by the replay at start or the stale-event sweep.
        await this.queue
          .enqueue(event.strategyId, { type: 'webhook', strategyId: event.strategyId, eventId: event.id })
          .catch((error: unknown) => this.console.warn(`delayed event ${event.id} stored but not queued: ${(error as Error).message}`));
      }
    } catch (error) {
      this.console.warn(`delayed alerts not released this time: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
    return released;
  }
}
