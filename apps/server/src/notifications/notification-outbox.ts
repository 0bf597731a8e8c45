import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { Delivery, Outbox } from './delivery.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import type { SendInput } from './senders/send-input.js';

/** Sent and given-up rows older than this are removed; pending ones stay however old. */
const KEEP_FINISHED_MS = 7 * 24 * 3600_000;

const toDelivery = (row: NotificationDelivery): Delivery => ({
  id: row.id,
  channelId: row.channelId,
  input: JSON.parse(row.input) as SendInput,
  createdAt: row.createdAt,
  attempts: row.attempts,
  nextAttemptAt: row.nextAttemptAt,
  status: row.status,
  lastError: row.lastError,
  finishedAt: row.finishedAt,
});

/**
 * The outbox as a table (`notification_deliveries`): a notification is a row before anything is
 * sent, so a restart, a crash or a channel that is down for hours loses nothing. Each channel's
 * worker reads its oldest pending row. Rows are keyed by what caused them (`dedupeKey`), so the
 * same event reported twice — by two processes, or again after a restart — is one row.
 */
@Injectable()
export class NotificationOutbox implements Outbox {
  constructor(@InjectRepository(NotificationDelivery) private readonly rows: Repository<NotificationDelivery>) {}

  add(delivery: Delivery, dedupeKey = delivery.id): Promise<void> {
    return this.insert(delivery, dedupeKey).then(() => undefined);
  }

  /** Inserts unless a row with the same key is there already; true when it was new. */
  async insert(delivery: Delivery, dedupeKey: string): Promise<boolean> {
    const key = { channelId: delivery.channelId, dedupeKey: dedupeKey.slice(0, 200) };
    if (await this.rows.existsBy(key)) return false;
    try {
      await this.rows.insert({
        id: delivery.id,
        ...key,
        kind: delivery.input.event.kind,
        input: JSON.stringify(delivery.input),
        status: delivery.status,
        attempts: delivery.attempts,
        lastError: delivery.lastError,
        createdAt: delivery.createdAt,
        nextAttemptAt: delivery.nextAttemptAt,
        finishedAt: delivery.finishedAt,
      });
      return true;
    } catch (error) {
      // Another process queued the same event a moment before: the unique key kept one row.
      if (await this.rows.existsBy(key)) return false;
      throw error;
    }
  }

  async head(channelId: string): Promise<Delivery | null> {
    const row = await this.rows.findOne({ where: { channelId, status: 'pending' }, order: { createdAt: 'ASC', id: 'ASC' } });
    return row ? toDelivery(row) : null;
  }

  async update(delivery: Delivery): Promise<void> {
    await this.rows.update(
      { id: delivery.id },
      {
        status: delivery.status,
        attempts: delivery.attempts,
        nextAttemptAt: delivery.nextAttemptAt,
        lastError: delivery.lastError?.slice(0, 2000) ?? null,
        finishedAt: delivery.finishedAt,
      },
    );
  }

  /** Pending rows and the latest given-up reason, per channel. */
  async health(channelIds: string[]): Promise<Map<string, { pending: number; lastError: string | null }>> {
    const out = new Map<string, { pending: number; lastError: string | null }>();
    if (!channelIds.length) return out;
    const pending = await this.rows
      .createQueryBuilder('d')
      .select('d.channelId', 'channelId')
      .addSelect('COUNT(*)', 'n')
      .where({ channelId: In(channelIds), status: 'pending' })
      .groupBy('d.channelId')
      .getRawMany<{ channelId: string; n: string | number }>();
    for (const id of channelIds) out.set(id, { pending: 0, lastError: null });
    for (const row of pending) out.get(row.channelId)!.pending = Number(row.n);
    for (const id of channelIds) {
      const failed = await this.rows.findOne({
        where: [
          { channelId: id, status: 'given-up' },
          { channelId: id, status: 'pending' },
        ],
        order: { createdAt: 'DESC' },
        select: { lastError: true, status: true },
      });
      out.get(id)!.lastError = failed?.lastError ?? null;
    }
    return out;
  }

  latest(limit: number): Promise<NotificationDelivery[]> {
    return this.rows.find({ order: { createdAt: 'DESC' }, take: limit });
  }

  async removeChannel(channelId: string): Promise<void> {
    await this.rows.delete({ channelId });
  }

  async prune(now = Date.now()): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .delete()
      .where('status IN (:...done) AND "finishedAt" < :before', { done: ['sent', 'given-up'], before: now - KEEP_FINISHED_MS })
      .execute();
  }
}
