import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { WebhookEventView } from '@tradeloop/contracts';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository, type FindOptionsWhere } from 'typeorm';
import { iso } from '../common/money.js';
import { DatabaseService } from '../database/database.service.js';
import { byId, pageOfStrategy } from '../database/strategy-listing.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { LogsService } from '../logs/logs.service.js';
import { WebhookEvent, type WebhookEventStatus } from './webhook-event.entity.js';
import { alertLabel } from './alert-label.js';

export interface EventFilter {
  status?: WebhookEventStatus;
  strategyId?: string;
  limit: number;
  beforeReceivedAt?: number;
}

/** A strategy's events, newest first (see pageOfStrategy): paged by time, the first `limit` before it. */
export function eventsOfStrategy(events: Repository<WebhookEvent>, filter: EventFilter, strategyId: string): Promise<WebhookEvent[]> {
  return pageOfStrategy(
    (arm, skip, take) =>
      eventPage(events, { ...filter, limit: take }, arm, strategyId)
        .offset(skip)
        .getMany(),
    (a, b) => b.receivedAt - a.receivedAt || byId(a, b),
    0,
    filter.limit,
  );
}

/** One part of a strategy's events (`listedArms` on `record`), a page in the order of its index. */
export function eventPage(events: Repository<WebhookEvent>, filter: EventFilter, arm: string, strategyId: string) {
  const query = events.createQueryBuilder('record').where(arm, { strategyId });
  if (filter.status) query.andWhere('record.status = :status', { status: filter.status });
  if (filter.beforeReceivedAt) query.andWhere('record.receivedAt < :before', { before: filter.beforeReceivedAt });
  return query.orderBy('record.receivedAt', 'DESC').addOrderBy('record.id', 'ASC').limit(filter.limit);
}

/** Accepted alerts as the engine sees them: listing, and the dead letters' retry and dismiss. */
@Injectable()
export class WebhookEventsService {
  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
  ) {}

  async list(filter: EventFilter): Promise<WebhookEventView[]> {
    if (filter.strategyId) return (await eventsOfStrategy(this.events, filter, filter.strategyId)).map((e) => this.view(e));
    const where: FindOptionsWhere<WebhookEvent> = {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.beforeReceivedAt ? { receivedAt: LessThan(filter.beforeReceivedAt) } : {}),
    };
    const rows = await this.events.find({ where, order: { receivedAt: 'DESC', id: 'ASC' }, take: filter.limit });
    return rows.map((e) => this.view(e));
  }

  async get(id: string): Promise<WebhookEventView> {
    return this.view(await this.find(id));
  }

  /** A dead letter goes back to the queue as if just accepted; its orders keep their ids, so nothing runs twice. */
  async retry(id: string): Promise<WebhookEventView> {
    const event = await this.find(id);
    if (event.status !== 'failed' && event.status !== 'dismissed') {
      throw new ConflictException(`event ${id} is ${event.status}: only failed or dismissed events can be retried`);
    }
    await this.database.transaction(async (m) => {
      await m.update(WebhookEvent, { id }, { status: 'accepted', error: null, processedAt: null });
      await this.logs.write(
        {
          level: 'info',
          category: 'webhook',
          strategyId: event.strategyId,
          message: `${alertLabel(event)} retried by hand`,
          context: { eventId: id },
        },
        m,
      );
    });
    await this.queue.enqueue(event.strategyId, { type: 'webhook', strategyId: event.strategyId, eventId: id });
    return this.get(id);
  }

  /** A dead letter the trader has looked at and let go: kept, but no longer listed as failed. */
  async dismiss(id: string): Promise<WebhookEventView> {
    const event = await this.find(id);
    if (event.status !== 'failed') throw new ConflictException(`event ${id} is ${event.status}: only failed events can be dismissed`);
    await this.database.transaction(async (m) => {
      await m.update(WebhookEvent, { id }, { status: 'dismissed' });
      await this.logs.write(
        {
          level: 'info',
          category: 'webhook',
          strategyId: event.strategyId,
          message: `failed ${alertLabel(event)} dismissed`,
          context: { eventId: id },
        },
        m,
      );
    });
    return this.get(id);
  }

  /** Accepted events older than `olderThanMs` that no worker has started: put back on the queue (duplicates are dropped by job id). */
  async requeueStale(olderThanMs: number): Promise<number> {
    const stale = await this.events.find({
      where: { status: In(['accepted']), receivedAt: LessThan(Date.now() - olderThanMs) },
      order: { receivedAt: 'ASC' },
      take: 1000,
    });
    for (const event of stale)
      await this.queue.enqueue(event.strategyId, { type: 'webhook', strategyId: event.strategyId, eventId: event.id });
    return stale.length;
  }

  private async find(id: string): Promise<WebhookEvent> {
    const event = await this.events.findOneBy({ id });
    if (!event) throw new NotFoundException(`event ${id} not found`);
    return event;
  }

  private view(e: WebhookEvent): WebhookEventView {
    return {
      id: e.id,
      strategyId: e.strategyId,
      status: e.status,
      alert: JSON.parse(e.alert) as Record<string, unknown>,
      idempotencyKey: e.idempotencyKey,
      sourceIp: e.sourceIp,
      receivedAt: iso(e.receivedAt),
      processedAt: iso(e.processedAt),
      ...(e.notBefore !== null ? { delayedUntil: iso(e.notBefore) } : {}),
      error: e.error,
    };
  }
}
