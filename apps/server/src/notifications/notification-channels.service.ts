import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { NotificationChannelView, NotificationDeliveryView, NotificationKindName, NotificationTestResult } from '@tradeloop/contracts';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { SecretBox } from '../infra/secrets/secret-box.js';
import { joinSecrets, parseChannelConfig, secretHint, SECRET_FIELDS, splitSecrets, type ChannelConfig } from './channel-config.js';
import { NotificationChannel } from './notification-channel.entity.js';
import { NotificationHub } from './notification-hub.service.js';
import { NotificationOutbox } from './notification-outbox.js';

/** A server keeps at most this many channels. */
const MAX_CHANNELS = 50;
const iso = (at: number) => new Date(at).toISOString();

const asObject = (body: unknown): Record<string, unknown> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestException('body must be a JSON object');
  return body as Record<string, unknown>;
};

/** Channels: stored with their secrets sealed, shown without them, checked field by field. */
@Injectable()
export class NotificationChannelsService {
  constructor(
    @InjectRepository(NotificationChannel) private readonly rows: Repository<NotificationChannel>,
    private readonly secrets: SecretBox,
    private readonly hub: NotificationHub,
    private readonly outbox: NotificationOutbox,
  ) {}

  async list(): Promise<NotificationChannelView[]> {
    const rows = await this.rows.find({ order: { createdAt: 'ASC' } });
    const health = await this.outbox.health(rows.map((r) => r.id));
    return rows.map((row) => this.view(row, health.get(row.id)));
  }

  async get(id: string): Promise<NotificationChannelView> {
    const row = await this.row(id);
    return this.view(row, (await this.outbox.health([id])).get(id));
  }

  async create(body: unknown): Promise<NotificationChannelView> {
    const config = this.parse(asObject(body));
    if ((await this.rows.count()) >= MAX_CHANNELS) throw new ConflictException(`at most ${MAX_CHANNELS} channels`);
    const now = Date.now();
    const { settings, secrets } = splitSecrets(config);
    const row: NotificationChannel = {
      id: randomUUID(),
      name: config.name,
      type: config.type,
      settings: JSON.stringify(settings),
      secrets: Object.keys(secrets).length ? this.secrets.sealJson(secrets) : null,
      createdAt: now,
      updatedAt: now,
    };
    await this.rows.insert(row);
    await this.hub.reload();
    return this.get(row.id);
  }

  /** Fields merge over the channel's; a secret left out keeps its value, null removes an optional one. The type stays. */
  async update(id: string, body: unknown): Promise<NotificationChannelView> {
    const changes = asObject(body);
    const row = await this.row(id);
    if (changes.type !== undefined && changes.type !== row.type) {
      throw new BadRequestException(`type: a channel keeps its type (${row.type}); make a new channel for another`);
    }
    const current: Record<string, unknown> = { ...this.config(row) };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete current[key];
      else current[key] = value;
    }
    const config = this.parse(current);
    const { settings, secrets } = splitSecrets(config);
    await this.rows.update(
      { id },
      {
        name: config.name,
        settings: JSON.stringify(settings),
        secrets: Object.keys(secrets).length ? this.secrets.sealJson(secrets) : null,
        updatedAt: Date.now(),
      },
    );
    await this.hub.reload();
    return this.get(id);
  }

  /** Removes the channel and what it still had to send. */
  async remove(id: string): Promise<void> {
    await this.row(id);
    await this.rows.delete({ id });
    await this.outbox.removeChannel(id);
    await this.hub.reload();
  }

  async test(id: string): Promise<NotificationTestResult> {
    const outcome = await this.hub.test(this.config(await this.row(id)));
    return outcome.ok ? { ok: true, reason: null } : { ok: false, reason: outcome.reason };
  }

  async deliveries(limit: number): Promise<NotificationDeliveryView[]> {
    return (await this.outbox.latest(limit)).map((d) => ({
      id: d.id,
      channelId: d.channelId,
      kind: d.kind,
      title: (JSON.parse(d.input) as { message: { title: string } }).message.title,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: iso(d.createdAt),
      nextAttemptAt: iso(d.nextAttemptAt),
      finishedAt: d.finishedAt === null ? null : iso(d.finishedAt),
    }));
  }

  private parse(raw: Record<string, unknown>): ChannelConfig {
    const parsed = parseChannelConfig(raw);
    if (!parsed.ok) throw new BadRequestException(parsed.problems.slice(0, 10).join('; '));
    return parsed.config;
  }

  private config(row: NotificationChannel): ChannelConfig {
    return joinSecrets(JSON.parse(row.settings) as Record<string, unknown>, this.secrets.openJson(row.secrets));
  }

  private async row(id: string): Promise<NotificationChannel> {
    const row = await this.rows.findOneBy({ id });
    if (!row) throw new NotFoundException(`notification channel ${id} not found`);
    return row;
  }

  private view(row: NotificationChannel, health = { pending: 0, lastError: null as string | null }): NotificationChannelView {
    const stored = JSON.parse(row.settings) as Record<string, unknown>;
    const { type, name, enabled, events, ...settings } = stored as {
      type: NotificationChannelView['type'];
      name: string;
      enabled: boolean;
      events: NotificationKindName[];
    } & Record<string, unknown>;
    const sealed = this.secrets.openJson(row.secrets);
    const hints: Record<string, string> = {};
    for (const field of SECRET_FIELDS[type]) if (sealed[field]) hints[field] = secretHint(sealed[field]);
    return {
      id: row.id,
      type,
      name,
      enabled,
      events,
      settings,
      secrets: hints,
      pending: health.pending,
      lastError: health.lastError,
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    };
  }
}
