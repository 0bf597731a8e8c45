import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Alert } from '@tradeloop/contracts';
import { planAlert } from '@tradeloop/domain';
import { In, Repository } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';
import { ExecutionService } from '../execution/execution.service.js';
import type { EngineEvent, EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE, QueueFailures } from '../infra/queue/queue.module.js';
import { Position } from '../ledger/position.entity.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { Strategy } from '../strategies/strategy.entity.js';
import { WebhookEvent } from '../webhooks/webhook-event.entity.js';
import { ScriptedStrategyService } from './scripted-strategy.service.js';
import { SignalOrdersService } from './signal-orders.service.js';
import { BracketsService } from '../execution/brackets.service.js';
import { CommandsService } from '../trading/commands.service.js';

/** Turns queued events into orders, one event at a time per strategy. */
@Injectable()
export class EngineService implements OnApplicationBootstrap {
  constructor(
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly failures: QueueFailures,
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    private readonly execution: ExecutionService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
    private readonly scripted: ScriptedStrategyService,
    private readonly signals: SignalOrdersService,
    private readonly brackets: BracketsService,
    private readonly commands: CommandsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.failures.set((event, error) => void this.markFailed(event, error).catch(() => undefined));
    await this.queue.process((event) => this.handle(event));
    await this.replayUnfinished();
    await this.watchOpenPositions();
  }

  async handle(event: EngineEvent): Promise<void> {
    switch (event.type) {
      case 'webhook':
        return this.handleWebhook(event.eventId);
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
      case 'command':
        return this.commands.execute(event);
    }
  }

  /** Accepted events whose processing never finished (a crash, a restart) run again; orders are idempotent. */
  private async replayUnfinished(): Promise<void> {
    const unfinished = await this.events.find({ where: { status: In(['accepted', 'processing']) }, order: { receivedAt: 'ASC' } });
    for (const event of unfinished) {
      await this.queue.enqueue(event.strategyId, { type: 'webhook', strategyId: event.strategyId, eventId: event.id });
    }
    if (unfinished.length) {
      await this.logs.write({ level: 'info', category: 'system', message: `replaying ${unfinished.length} unfinished webhook event(s)` });
    }
  }

  /** Quotes for everything held, so open P&L is live after a restart (strategies' default tickers: the watchlist). */
  private async watchOpenPositions(): Promise<void> {
    const held = await this.positions
      .createQueryBuilder('p')
      .select('DISTINCT p.ticker', 'ticker')
      .where('p.quantity <> 0')
      .getRawMany<{ ticker: string }>();
    await this.market.subscribe([...new Set(held.map((r) => r.ticker))]);
  }

  private async handleWebhook(eventId: string): Promise<void> {
    const event = await this.events.findOneBy({ id: eventId });
    if (!event || event.status === 'done' || event.status === 'failed' || event.status === 'dismissed') return;
    await this.setEvent(eventId, { status: 'processing' });

    const strategy = await this.strategies.findOneBy({ id: event.strategyId });
    if (!strategy) return this.finish(event, 'failed', 'strategy was deleted before the alert ran');
    if (!strategy.enabled)
      return this.finish(event, 'failed', `strategy "${strategy.name}" was disabled before the alert ran`, strategy.id);

    const alert = JSON.parse(event.alert) as Alert & { ticker: string };
    if (strategy.script) {
      const run = await this.scripted.onWebhook(strategy, event.id, alert, event.receivedAt);
      return this.finish(event, run.ok ? 'done' : 'failed', run.summary, strategy.id);
    }
    // The alert's semantics move the recorder (the strategy's own position); links follow its target.
    const current = await this.signals.recorderPosition(strategy, alert.ticker);
    const plan = planAlert(current, alert, strategy.defaultQuantity);

    const notes: string[] = [];
    if (plan.cancelWorking) {
      await this.brackets.cancelBrackets(strategy.id);
      const cancelled = await this.execution.cancelWorking(strategy.id, `cancelled by alert (event ${event.id})`);
      if (cancelled) notes.push(`cancelled ${cancelled} working order(s)`);
    }
    if (plan.note) notes.push(plan.note);
    if (plan.target !== null) notes.push(...(await this.signals.trade(strategy, event.id, alert, plan.target)));
    await this.finish(event, 'done', notes.join('; ') || 'nothing to do', strategy.id);
  }

  private async finish(event: WebhookEvent, status: 'done' | 'failed', message: string, strategyId?: string): Promise<void> {
    await this.database.bookkeeping(async (m) => {
      await m.update(WebhookEvent, { id: event.id }, { status, processedAt: Date.now(), error: status === 'failed' ? message : null });
      await this.logs.write(
        {
          level: status === 'failed' ? 'warn' : 'info',
          category: 'engine',
          strategyId: strategyId ?? event.strategyId,
          message: `event ${event.id}: ${message}`,
          context: { eventId: event.id },
        },
        m,
      );
    });
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
    const row = await this.events.findOneBy({ id: event.eventId });
    if (row) await this.finish(row, 'failed', `failed after retries: ${error instanceof Error ? error.message : String(error)}`);
  }

  private setEvent(id: string, changes: Partial<WebhookEvent>): Promise<unknown> {
    return this.database.bookkeeping((m) => m.update(WebhookEvent, { id }, changes));
  }
}
