import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { listedArms } from '../database/strategy-listing.js';
import { LastSignals } from '../strategies/last-signals.js';
import { Strategy } from '../strategies/strategy.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';

type LastRow = { id: string; last: string | number | null };

/** The strategies' newest accepted alerts, for their list and detail. */
@Injectable()
export class WebhookLastSignals extends LastSignals {
  constructor(@InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>) {
    super();
  }

  /**
   * Each strategy's newest listed event, a seek on the list's index, and the newest of the events
   * not listed yet (at most the last second's, StrategyListing), by strategy, in one pass of them.
   */
  async of(strategyId?: string): Promise<Map<string, number>> {
    const [listed] = listedArms('e', 's.id');
    const query = this.events.manager
      .createQueryBuilder(Strategy, 's')
      .select('s.id', 'id')
      .addSelect((sub) => sub.select('MAX(e.receivedAt)').from(WebhookEvent, 'e').where(listed), 'last');
    if (strategyId) query.where('s.id = :id', { id: strategyId });
    const newest = this.events
      .createQueryBuilder('e')
      .select('e.strategyId', 'id')
      .addSelect('MAX(e.receivedAt)', 'last')
      .where('e.listedStrategyId IS NULL')
      .groupBy('e.strategyId');
    if (strategyId) newest.andWhere('e.strategyId = :id', { id: strategyId });
    // The events not listed first: one listed in between is then read listed, never missed.
    const unlisted = await newest.getRawMany<LastRow>();
    const strategies = await query.getRawMany<LastRow>();
    const last = new Map<string, number>();
    for (const row of strategies) if (row.last !== null) last.set(row.id, Number(row.last));
    const known = new Set(strategies.map((row) => row.id));
    // A deleted strategy's events stay; it has no row to show them on.
    for (const row of unlisted)
      if (row.last !== null && known.has(row.id)) last.set(row.id, Math.max(last.get(row.id) ?? 0, Number(row.last)));
    return last;
  }
}
