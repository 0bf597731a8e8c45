import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { LastSignals } from '../strategies/last-signals.js';
import { Strategy } from '../strategies/strategy.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';

/** The strategies' newest accepted alerts, for their list and detail. */
@Injectable()
export class WebhookLastSignals extends LastSignals {
  constructor(@InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>) {
    super();
  }

  /** One query; each strategy's maximum is a seek on the (strategyId, receivedAt) index. */
  async of(strategyId?: string): Promise<Map<string, number>> {
    const query = this.events.manager
      .createQueryBuilder(Strategy, 's')
      .select('s.id', 'id')
      .addSelect((sub) => sub.select('MAX(e.receivedAt)').from(WebhookEvent, 'e').where('e.strategyId = s.id'), 'last');
    if (strategyId) query.where('s.id = :id', { id: strategyId });
    const rows = await query.getRawMany<{ id: string; last: string | number | null }>();
    return new Map(rows.filter((r) => r.last !== null).map((r) => [r.id, Number(r.last)]));
  }
}
