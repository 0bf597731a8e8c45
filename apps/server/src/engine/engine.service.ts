import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Alert } from '@tradeloop/contracts';
import { signalTimeOf } from '@tradeloop/domain';
import { ExecutionStamps } from '../analytics/execution-stamps.js';
import { DatabaseService, SHARED_BOOKKEEPING } from '../database/database.service.js';
import { Statements } from '../database/statements.js';
import type { AcceptedAlert, EngineEvent, EventQueue, IntakeStamps } from '../infra/queue/event-queue.js';
import { QueueConsumers } from '../infra/queue/queue-consumers.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { UnbookableFill } from '../ledger/ledger.service.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import type { WebhookEvent } from '../webhooks/webhook-event.entity.js';
import { WebhookEventsReader } from '../webhooks/webhook-events.reader.js';
import { alertLabel } from '../webhooks/alert-label.js';
import { FillIntake } from '../execution/fill-intake.service.js';
import { ScriptedStrategyService } from './scripted-strategy.service.js';
import { SignalOrdersService } from './signal-orders.service.js';
import { SignalPlannerService } from './signal-planner.service.js';

// Never over an end already written (on PostgreSQL the two transactions may meet out of order).
const EVENT_PROCESSING = `UPDATE webhook_events SET "status" = 'processing' WHERE "id" = ? AND "status" NOT IN ('done', 'failed', 'dismissed')`;
const EVENT_FINISHED = 'UPDATE webhook_events SET "status" = ?, "processedAt" = ?, "error" = ? WHERE "id" = ?';

/** The queued events the engine consumes (trader commands have a consumer of their own, in trading). */
type EngineConsumed = Exclude<EngineEvent, { type: 'command' }>;

/** Turns queued events into orders, one event at a time per strategy. */
@Injectable()
export class EngineService implements OnApplicationBootstrap {
  private readonly console = new Logger(EngineService.name);

  constructor(
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly domainEvents: DomainEvents,
    private readonly events: WebhookEventsReader,
    private readonly strategies: StrategiesReader,
    private readonly positions: PositionsReader,
    private readonly market: MarketService,
    private readonly fills: FillIntake,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
    private readonly scripted: ScriptedStrategyService,
    private readonly signals: SignalOrdersService,
    private readonly planner: SignalPlannerService,
    private readonly consumers: QueueConsumers,
    private readonly stamps: ExecutionStamps,
    private readonly statements: Statements,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.domainEvents.on('QueueEventFailed', ({ event, error }) => void this.markFailed(event, error).catch(() => undefined));
    // A fill reported after its event finished, that can never be booked: the event becomes a dead letter after all.
    this.fills.onUnbookableFill((order, error) => {
      if (order.eventId) void this.failLater(order.eventId, error).catch(() => undefined);
    });
    for (const type of ['webhook', 'tick', 'fill', 'timer'] as const) this.consumers.consume(type, (event) => this.handle(event));
    await this.consumers.start();
    await this.replayUnfinished();
    await this.watchOpenPositions();
  }

  /** A fill that can never be booked ends the event as a dead letter with its reason, never as something to retry. */
  async handle(event: EngineConsumed): Promise<void> {
    try {
      await this.dispatch(event);
    } catch (error) {
      if (!(error instanceof UnbookableFill)) throw error;
      if (event.type === 'webhook' && (await outlasts(event.durable))) {
        const row = await this.events.byId(event.eventId);
        if (row) await this.finish(row, 'failed', error.message);
      }
      // Other events were logged with the fill (the order and the log say what happened).
    }
  }

  private async dispatch(event: EngineConsumed): Promise<void> {
    switch (event.type) {
      case 'webhook': {
        // Taken once: a retry of this event reads its row.
        const accepted = event.accepted;
        event.accepted = undefined;
        return this.handleWebhook(
          event.eventId,
          event.stamps,
          accepted && acceptedEvent(event.eventId, event.strategyId, accepted),
          event.durable,
        );
      }
      // Pass-through strategies act on alerts only: these reach scripted strategies alone.
      case 'tick':
        await this.scripted.onTick(event.strategyId, event.eventId, event.quote);
        return;
      case 'fill':
        await this.scripted.onFill(event.strategyId, event.eventId, event.fillId);
        return;
      case 'timer':
        await this.scripted.onTimer(event.strategyId, event.eventId, event.time);
        return;
    }
  }

  /** Accepted events whose processing never finished (a crash, a restart) run again; orders are idempotent. */
  private async replayUnfinished(): Promise<void> {
    const unfinished = await this.events.unfinished();
    for (const event of unfinished) {
      await this.queue.enqueue(event.strategyId, { type: 'webhook', strategyId: event.strategyId, eventId: event.id });
    }
    if (unfinished.length) {
      await this.logs.write({ level: 'info', category: 'system', message: `replaying ${unfinished.length} unfinished webhook event(s)` });
    }
  }

  /** Quotes for everything held, so open P&L is live after a restart (strategies' default tickers: the watchlist). */
  private async watchOpenPositions(): Promise<void> {
    await this.market.subscribe(await this.positions.heldTickers());
  }

  /**
   * `accepted`: the row as the intake committed it (the in-process queue), else it is read.
   * `durable`: see EngineEvent. An order waits for a sync of its own, which covers the alert; a
   * cancel, a script and the event's end wait for the alert's. Should that fail, the event is left
   * as stored, for the replay at start.
   */
  private async handleWebhook(eventId: string, intake?: IntakeStamps, accepted?: WebhookEvent, durable?: Promise<boolean>): Promise<void> {
    const finish = async (event: WebhookEvent, status: 'done' | 'failed', message: string, strategyId?: string) => {
      if (await outlasts(durable)) await this.finish(event, status, message, strategyId);
    };
    const handledAt = Date.now();
    const event = accepted ?? (await this.events.byId(eventId));
    // A delayed alert is queued again when it is due (DelayedAlertsService).
    if (!event || event.status === 'done' || event.status === 'failed' || event.status === 'dismissed' || event.status === 'delayed')
      return;
    const strategy = await this.strategies.byId(event.strategyId);
    // 'processing' says the engine took the alert, for a script that may run a while, and for the
    // BullMQ sweeper, which queues again what stays 'accepted'. A pass-through alert in one process
    // is done in the same few commits that mark it: there it is one write an alert that no one reads.
    // Not waited for: the status joins the next commit (the order's, or the event's end), in order.
    if (strategy?.script || this.queue.driver !== 'memory') this.markProcessing(eventId);
    if (!strategy) return finish(event, 'failed', 'strategy was deleted before the alert ran');
    if (!strategy.enabled) return finish(event, 'failed', `strategy "${strategy.name}" was disabled before the alert ran`, strategy.id);

    const alert = JSON.parse(event.alert) as Alert & { ticker: string };
    this.stamps.alertHandled(event.id, {
      strategyId: strategy.id,
      signalAt: signalTimeOf(alert.time, intake?.receivedAt ?? event.receivedAt),
      receivedAt: intake?.receivedAt ?? event.receivedAt,
      acceptedAt: intake?.acceptedAt ?? null,
      handledAt,
      ...(intake?.quote ? { quote: intake.quote } : {}),
    });
    if (strategy.script) {
      // A script may reach beyond this process in ways other than orders (cancels, notifications).
      if (!(await outlasts(durable))) return;
      const run = await this.scripted.onWebhook(strategy, event.id, alert, event.receivedAt);
      return finish(event, run.ok ? 'done' : 'failed', run.summary, strategy.id);
    }
    // The alert's semantics move the recorder (the strategy's own position); links follow its target.
    let plan = await this.planner.plan(strategy, alert, event.id);
    if (plan.error) return finish(event, 'failed', `nothing traded: ${plan.error}`, strategy.id);
    // TradingView's price moves the demo prices there too, so brackets and open P&L stay near the market the alerts see.
    const seen = alert.signalPrice ?? alert.price;
    if (seen !== undefined)
      for (const leg of plan.legs) if (leg.orders.some((o) => o.signalPrice !== undefined)) this.market.anchorSimulated(leg.ticker, seen);

    const notes: string[] = [];
    if (plan.quantity && alert.quantityType) notes.push(`quantity ${plan.quantity.value} (${alert.quantityType}: ${plan.quantity.how})`);
    // A cancel reaches the broker with no sync of its own before it, so it waits for the alert's.
    // A closing alert that finds nothing to cancel (the usual case) waits for nothing: its order
    // commits at once and shares the alert's sync.
    if (await this.signals.anythingToCancel(strategy, plan)) {
      if (!(await outlasts(durable))) return;
      const cancelled = await this.signals.cancel(strategy, alertLabel(event), plan);
      if (cancelled) notes.push(cancelled);
      // An order being cancelled may fill instead (a bracket's stop, reached as the exit alert came):
      // the orders are worked out again from the position the cancels left, or the exit would sell
      // again what the stop sold, and turn the position around.
      plan = await this.planner.plan(strategy, alert, event.id);
      if (plan.error) return finish(event, 'failed', [...notes, `nothing traded: ${plan.error}`].join('; '), strategy.id);
    }
    notes.push(...plan.notes);
    if (plan.target !== null) notes.push(...(await this.signals.trade(strategy, event.id, plan)));
    await finish(event, 'done', notes.join('; ') || 'nothing to do', strategy.id);
  }

  private async finish(event: WebhookEvent, status: 'done' | 'failed', message: string, strategyId?: string): Promise<void> {
    // The event's own row and a log line: on PostgreSQL one transaction for a turn's alerts.
    await this.database.transaction(async (m) => {
      await this.statements.run(m, EVENT_FINISHED, [status, Date.now(), status === 'failed' ? message : null, event.id]);
      await this.logs.write(
        {
          level: status === 'failed' ? 'warn' : 'info',
          category: 'engine',
          strategyId: strategyId ?? event.strategyId,
          message: `${alertLabel(event)}: ${message}`,
          context: { eventId: event.id },
        },
        m,
      );
    }, SHARED_BOOKKEEPING);
  }

  private async markFailed(event: EngineEvent, error: unknown): Promise<void> {
    if (event.type === 'command') return; // execute() answers every command itself
    if (event.type !== 'webhook') {
      await this.logs.write({
        level: 'warn',
        category: 'engine',
        strategyId: event.strategyId,
        message: `${event.type} event dropped after retries: ${error instanceof Error ? error.message : String(error)}`,
        context: { eventId: event.eventId },
      });
      return;
    }
    if (!(await outlasts(event.durable))) return;
    const row = await this.events.byId(event.eventId);
    if (row) await this.finish(row, 'failed', `failed after retries: ${error instanceof Error ? error.message : String(error)}`);
  }

  private async failLater(eventId: string, error: UnbookableFill): Promise<void> {
    const row = await this.events.byId(eventId);
    if (!row || row.status === 'failed' || row.status === 'dismissed') return;
    await this.finish(row, 'failed', error.message);
  }

  private markProcessing(id: string): void {
    this.statements
      .runAlone(EVENT_PROCESSING, [id])
      .catch((error: unknown) => this.console.warn(`event ${id} not marked processing: ${(error as Error).message}`));
  }
}

/** Whether a webhook event's alert is durable: always, but for one handed over at its commit whose sync failed (see EngineEvent). */
const outlasts = (durable: Promise<boolean> | undefined): Promise<boolean> | boolean => durable ?? true;

/** The row the intake committed for a new alert, as the engine would read it. */
function acceptedEvent(id: string, strategyId: string, accepted: AcceptedAlert): WebhookEvent {
  return {
    id,
    strategyId,
    idempotencyKey: accepted.idempotencyKey,
    bodyHash: null,
    status: 'accepted',
    alert: accepted.alert,
    sourceIp: null,
    receivedAt: accepted.receivedAt,
    processedAt: null,
    notBefore: null,
    error: null,
  };
}
