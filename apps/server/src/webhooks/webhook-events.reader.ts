import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { WebhookEvent } from './webhook-event.entity.js';

/** What the engine reads of accepted alerts; the webhooks module owns the table. */
@Injectable()
export class WebhookEventsReader {
  constructor(@InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>) {}

  byId(id: string): Promise<WebhookEvent | null> {
    return this.events.findOneBy({ id });
  }

  /** Events accepted or started but not finished, oldest first: replayed at start. */
  unfinished(): Promise<WebhookEvent[]> {
    return this.events.find({ where: { status: In(['accepted', 'processing']) }, order: { receivedAt: 'ASC' } });
  }
}
