import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { RowShape } from '../database/rows.js';
import { Statements } from '../database/statements.js';
import { WebhookEvent } from './webhook-event.entity.js';

const EVENT = new RowShape<WebhookEvent>('webhook_events', {
  id: 'text',
  strategyId: 'text',
  idempotencyKey: 'text',
  bodyHash: 'text',
  status: 'text',
  alert: 'text',
  sourceIp: 'text',
  receivedAt: 'bigint',
  processedAt: 'bigint',
  notBefore: 'bigint',
  error: 'text',
});
const BY_ID = EVENT.select('"id" = ?');

/** What the engine reads of accepted alerts; the webhooks module owns the table. */
@Injectable()
export class WebhookEventsReader {
  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    private readonly statements: Statements,
  ) {}

  /** Read once per event by the engine: a prepared statement, not the repository. */
  async byId(id: string): Promise<WebhookEvent | null> {
    const row = await this.statements.get<Record<string, unknown>>(undefined, BY_ID, [id]);
    return row ? EVENT.fromRow(row) : null;
  }

  /** Events accepted or started but not finished, oldest first: replayed at start. */
  unfinished(): Promise<WebhookEvent[]> {
    return this.events.find({ where: { status: In(['accepted', 'processing']) }, order: { receivedAt: 'ASC' } });
  }
}
