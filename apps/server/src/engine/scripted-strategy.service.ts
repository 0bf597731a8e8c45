import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Quote, ScriptAlert, ScriptFill } from '@tradeloop/contracts';
import { toDollars } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { bracketRole } from '../execution/brackets.service.js';
import { OrdersReader } from '../execution/orders.reader.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { LOG_LEVELS, LogsService } from '../logs/logs.service.js';
import { clip, ScriptFailure, type CallOutcome, type HandlerName, type ScriptError, type ScriptLog } from '../sandbox/protocol.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import { effectiveParams } from '../scripts/script-rules.js';
import { ScriptsService } from '../scripts/scripts.service.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import { FailureWindow } from './failure-window.js';
import { ScriptContextService } from './script-context.service.js';
import { ScriptOrdersService } from './script-orders.service.js';
import { ScriptTriggersService } from './script-triggers.service.js';
import { DomainEvents } from '../infra/events/domain-events.js';

/** `ctx.state` is saved after every call that succeeds; more than this is a failure of the call. */
export const MAX_STATE_BYTES = 64 * 1024;
const MAX_LOGS_PER_CALL = 20;

export interface ScriptRun {
  ok: boolean;
  /** One line for the event's log entry. */
  summary: string;
}

interface Invocation {
  handler: HandlerName;
  arg: unknown;
  eventId: string;
  webhookEventId: string | null;
  /** Event time: `ctx.now()`. */
  time: number;
  ticker?: string;
}

/**
 * Runs scripted strategies' handlers in the sandbox: the snapshot in, the handler call, then the
 * state saved and the orders placed. A call that throws, times out or runs out of memory is logged
 * with its stack in script lines (both cut to about 2 KB); `strategies.maxFailures` of them among
 * the last `strategies.failureWindow` calls set the strategy to errored. Only the sandbox host
 * being unavailable is thrown on, for the queue to redeliver.
 */
@Injectable()
export class ScriptedStrategyService implements OnModuleInit {
  private readonly failures: FailureWindow;
  /** Whether strategies share queue partitions (BullMQ), so one's waiting holds up others. */
  private readonly sharedPartitions: boolean;
  /** The script version (name and hash) each strategy's isolate runs. */
  private readonly loaded = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_QUEUE) queue: EventQueue,
    private readonly strategyRows: StrategiesReader,
    private readonly orders: OrdersReader,
    private readonly positions: PositionsReader,
    private readonly sandbox: SandboxService,
    private readonly scripts: ScriptsService,
    private readonly strategies: StrategiesService,
    private readonly events: DomainEvents,
    private readonly context: ScriptContextService,
    private readonly triggers: ScriptTriggersService,
    private readonly actions: ScriptOrdersService,
    private readonly logs: LogsService,
  ) {
    this.failures = new FailureWindow(config.strategies.failureWindow, config.strategies.maxFailures);
    this.sharedPartitions = queue.driver === 'bullmq';
  }

  onModuleInit(): void {
    // A strategy switched off, errored or deleted frees its isolate; switched on again, it starts with a clean slate.
    this.events.on('StrategyChanged', ({ strategyId }) => void this.release(strategyId).catch(() => undefined));
  }

  onWebhook(strategy: Strategy, eventId: string, alert: ScriptAlert, receivedAt: number): Promise<ScriptRun> {
    return this.run(strategy, {
      handler: 'onWebhook',
      arg: alert,
      eventId,
      webhookEventId: eventId,
      time: receivedAt,
      ticker: alert.ticker,
    });
  }

  async onTick(strategyId: string, eventId: string, queued: Quote): Promise<ScriptRun | null> {
    // The newest quote of the ticker, when newer ones came while this tick waited (conflation).
    const quote = this.triggers.takeTick(strategyId, queued.ticker) ?? queued;
    const strategy = await this.enabled(strategyId);
    if (!strategy) return null;
    const arg = this.context.scriptQuote(quote);
    return this.run(strategy, { handler: 'onTick', arg, eventId, webhookEventId: null, time: quote.time, ticker: quote.ticker });
  }

  async onFill(strategyId: string, eventId: string, fillId: string): Promise<ScriptRun | null> {
    const strategy = await this.enabled(strategyId);
    const fill = strategy && (await this.positions.fill(fillId));
    if (!strategy || !fill) return null;
    const order = await this.orders.byId(fill.orderId);
    const position = await this.positions.held(fill.accountId, strategyId, fill.ticker);
    const arg: ScriptFill = {
      orderId: fill.orderId,
      ticker: fill.ticker,
      side: fill.side,
      quantity: fill.quantity,
      price: fill.price,
      commission: toDollars(fill.commissionCents),
      realizedPnl: toDollars(fill.realizedCents),
      position: position?.quantity ?? 0,
      role: order ? bracketRole(order.clientOrderId) : 'order',
      time: fill.time,
    };
    return this.run(strategy, { handler: 'onFill', arg, eventId, webhookEventId: null, time: fill.time, ticker: fill.ticker });
  }

  async onTimer(strategyId: string, eventId: string, time: number): Promise<ScriptRun | null> {
    const strategy = await this.enabled(strategyId);
    if (!strategy) return null;
    return this.run(strategy, { handler: 'onTimer', arg: time, eventId, webhookEventId: null, time });
  }

  private async enabled(strategyId: string): Promise<Strategy | null> {
    const strategy = await this.strategyRows.byId(strategyId);
    return strategy?.enabled && strategy.script ? strategy : null;
  }

  private async run(strategy: Strategy, call: Invocation): Promise<ScriptRun> {
    const entry = strategy.script ? this.scripts.current(strategy.script) : undefined;
    if (!entry?.source || !entry.meta) {
      const why = !entry ? `script ${strategy.script} not found` : `script ${strategy.script} does not load: ${entry.error?.message ?? ''}`;
      return this.failed(strategy, call, { kind: 'invalid', message: why });
    }
    if (!entry.meta.handlers.includes(call.handler)) return { ok: true, summary: `${entry.name} has no ${call.handler}` };
    // A partition of the BullMQ queue carries several strategies: a quote for a slow script waiting
    // its turn in the slow lane would hold up the others' alerts. It is skipped (conflated into
    // the next quote that finds the lane free), as a quote for a busy strategy is.
    if (call.handler === 'onTick' && this.sharedPartitions && this.sandbox.wouldWait(strategy.id)) {
      return { ok: true, summary: 'quote skipped: the slow lane is busy' };
    }

    let outcome: CallOutcome;
    try {
      const version = `${entry.name}:${entry.hash}`;
      if (this.loaded.get(strategy.id) !== version) {
        const loaded = await this.sandbox.load(strategy.id, entry.name, entry.source);
        this.loaded.set(strategy.id, version);
        await this.writeScriptLogs(strategy, 'load', loaded.logs, call.eventId);
      }
      const snapshot = await this.context.build(strategy, {
        params: effectiveParams(entry.meta.params, strategy.params),
        initialState: entry.meta.state,
        declared: entry.meta.tickers,
        now: call.time,
        ticker: call.ticker,
      });
      outcome = await this.sandbox.call(strategy.id, call.handler, JSON.stringify(call.arg), JSON.stringify(snapshot));
    } catch (error) {
      if (error instanceof ScriptFailure) return this.failed(strategy, call, error.error);
      throw error;
    }

    await this.writeScriptLogs(strategy, call.handler, outcome.logs, call.eventId);
    if (Buffer.byteLength(outcome.state) > MAX_STATE_BYTES) {
      return this.failed(strategy, call, { kind: 'invalid', message: `ctx.state is larger than ${MAX_STATE_BYTES / 1024} KiB` });
    }
    this.failures.record(strategy.id, false);
    const notes = await this.actions.execute(strategy, outcome.actions, {
      eventId: call.eventId,
      webhookEventId: call.webhookEventId,
      label: call.handler,
    });
    // Saved after the orders: a redelivered event runs again from the state it first saw.
    if (outcome.state !== strategy.state) await this.strategies.saveState(strategy.id, outcome.state);
    if (notes.length && call.handler !== 'onWebhook') {
      await this.logs.write({
        level: 'info',
        category: 'script',
        strategyId: strategy.id,
        message: `${call.handler}: ${notes.join('; ')}`,
        context: { eventId: call.eventId },
      });
    }
    return { ok: true, summary: notes.join('; ') || `${call.handler} placed no orders` };
  }

  private async failed(strategy: Strategy, call: Invocation, error: ScriptError): Promise<ScriptRun> {
    const count = this.failures.record(strategy.id, true);
    const { maxFailures: limit, failureWindow } = this.config.strategies;
    const calls = this.failures.calls(strategy.id);
    const where = error.line ? ` at ${strategy.script}:${error.line}:${error.column}` : '';
    // The sandbox cuts these already; a message from anywhere else is held to the same bound.
    const message = `${call.handler} failed (${error.kind})${where}: ${clip(String(error.message))}`;
    if (error.logs?.length) await this.writeScriptLogs(strategy, call.handler, error.logs, call.eventId);
    await this.logs.write({
      level: 'error',
      category: 'script',
      strategyId: strategy.id,
      message: `${message} [${count} of the last ${calls} calls failed; it stops at ${limit} of ${failureWindow}]`,
      context: { eventId: call.eventId, kind: error.kind, ...(error.stack ? { stack: clip(String(error.stack)) } : {}) },
    });
    if (this.failures.exceeded(count)) {
      this.failures.forget(strategy.id);
      const reason = `${count} of its last ${calls} calls failed; last: ${message}`;
      await this.strategies.setErrored(strategy.id, reason);
      await this.logs.write({ level: 'error', category: 'script', strategyId: strategy.id, message: `strategy stopped: ${reason}` });
    }
    return { ok: false, summary: message };
  }

  private async writeScriptLogs(strategy: Strategy, where: string, logs: ScriptLog[], eventId: string): Promise<void> {
    // The isolate caps and checks these too; a script that patched its bootstrap gets no further than this.
    for (const log of logs.slice(0, MAX_LOGS_PER_CALL)) {
      await this.logs.write({
        level: LOG_LEVELS.includes(log.level) ? log.level : 'info',
        category: 'script',
        strategyId: strategy.id,
        message: `${where}: ${clip(String(log.message), 1000)}`,
        context: { eventId },
      });
    }
  }

  private async release(strategyId: string): Promise<void> {
    const strategy = await this.strategyRows.byId(strategyId);
    if (strategy?.enabled && strategy.script) return;
    this.failures.forget(strategyId);
    this.actions.forget(strategyId);
    if (this.loaded.delete(strategyId)) await this.sandbox.unload(strategyId);
  }
}
