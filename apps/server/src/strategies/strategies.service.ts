import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Not, Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { iso } from '../common/money.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { Position } from '../ledger/position.entity.js';
import { MarketService } from '../market/market.service.js';
import { normalizeAllowList } from '../webhooks/ip-allow-list.js';
import type { CreateStrategyDto, UpdateStrategyDto } from './dto/strategy.dto.js';
import { Strategy } from './strategy.entity.js';

/** 192 random bits, URL-safe: the only secret between TradingView and this server. */
export const newWebhookToken = () => randomBytes(24).toString('base64url');

export const webhookTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Tokens never reach a log: a short hash tells them apart. */
export const tokenFingerprint = (token: string) => webhookTokenHash(token).slice(0, 8);

@Injectable()
export class StrategiesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    private readonly accounts: AccountsService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly bus: EventBus,
  ) {}

  webhookUrl(token: string): string {
    const base = this.config.server.publicUrl || `http://localhost:${this.config.server.port}`;
    return `${base.replace(/\/+$/, '')}/webhooks/${token}`;
  }

  view(s: Strategy) {
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      accountId: s.accountId,
      defaultQuantity: s.defaultQuantity,
      defaultTicker: s.defaultTicker,
      webhookToken: s.webhookToken,
      webhookUrl: this.webhookUrl(s.webhookToken),
      allowedIps: s.allowedIps ?? [],
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
    };
  }

  async list() {
    return (await this.strategies.find({ order: { createdAt: 'ASC' } })).map((s) => this.view(s));
  }

  async get(id: string): Promise<Strategy> {
    const strategy = await this.strategies.findOneBy({ id });
    if (!strategy) throw new NotFoundException(`strategy ${id} not found`);
    return strategy;
  }

  /**
   * The strategy a webhook token belongs to. Looked up by the token's hash and then compared in
   * constant time, so response timing reveals nothing about how close a guess came.
   */
  async findByToken(token: string): Promise<Strategy | null> {
    if (!token || token.length > 64) return null;
    const strategy = await this.strategies.findOneBy({ webhookTokenHash: webhookTokenHash(token) });
    if (!strategy) return null;
    const given = Buffer.from(token);
    const stored = Buffer.from(strategy.webhookToken);
    return given.length === stored.length && timingSafeEqual(given, stored) ? strategy : null;
  }

  /** A new webhook secret; the old URL stops working at once. */
  async rotateToken(id: string) {
    const strategy = await this.get(id);
    const webhookToken = newWebhookToken();
    const changes = { webhookToken, webhookTokenHash: webhookTokenHash(webhookToken), updatedAt: Date.now() };
    await this.database.transaction((m) => m.update(Strategy, { id }, changes));
    return this.view({ ...strategy, ...changes });
  }

  async create(dto: CreateStrategyDto) {
    const account = dto.accountId ? await this.accounts.get(dto.accountId) : await this.accounts.defaultAccount();
    await this.assertNameFree(dto.name);
    const now = Date.now();
    const strategy = this.strategies.create({
      id: randomUUID(),
      name: dto.name.trim(),
      description: dto.description ?? '',
      enabled: dto.enabled ?? true,
      accountId: account.id,
      defaultQuantity: dto.defaultQuantity ?? 1,
      defaultTicker: dto.defaultTicker ? this.market.resolve(dto.defaultTicker).ticker : null,
      ...this.newToken(),
      allowedIps: dto.allowedIps ? this.allowList(dto.allowedIps) : null,
      createdAt: now,
      updatedAt: now,
    });
    await this.database.transaction((m) => m.insert(Strategy, strategy));
    this.announce(strategy);
    return this.view(strategy);
  }

  async update(id: string, dto: UpdateStrategyDto) {
    const strategy = await this.get(id);
    if (dto.accountId) await this.accounts.get(dto.accountId);
    if (dto.name !== undefined && dto.name.trim() !== strategy.name) await this.assertNameFree(dto.name, id);
    const changes: Partial<Strategy> = {
      ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
      ...(dto.enabled !== undefined ? { enabled: dto.enabled } : {}),
      ...(dto.accountId !== undefined ? { accountId: dto.accountId } : {}),
      ...(dto.defaultQuantity !== undefined ? { defaultQuantity: dto.defaultQuantity } : {}),
      ...(dto.defaultTicker !== undefined ? { defaultTicker: this.market.resolve(dto.defaultTicker).ticker } : {}),
      ...(dto.allowedIps !== undefined ? { allowedIps: this.allowList(dto.allowedIps) } : {}),
      updatedAt: Date.now(),
    };
    await this.database.transaction((m) => m.update(Strategy, { id }, changes));
    const updated = { ...strategy, ...changes };
    if (dto.enabled !== undefined || dto.name !== undefined) this.announce(updated);
    return this.view(updated);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    const open = await this.positions.countBy({ strategyId: id, quantity: Not(0) });
    if (open > 0) throw new ConflictException('strategy has open positions: flatten them before deleting it');
    await this.database.transaction((m) => m.delete(Strategy, { id }));
  }

  /** Its status, live on `/ws`. */
  private announce(strategy: Strategy): void {
    this.bus.publish('STRATEGY', {
      id: strategy.id,
      name: strategy.name,
      status: strategy.enabled ? 'enabled' : 'disabled',
      reason: null,
      time: strategy.updatedAt,
    });
  }

  private newToken() {
    const webhookToken = newWebhookToken();
    return { webhookToken, webhookTokenHash: webhookTokenHash(webhookToken) };
  }

  private allowList(entries: string[]): string[] | null {
    try {
      const list = normalizeAllowList(entries);
      return list.length ? list : null;
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    const clash = await this.strategies.findOneBy({ name: name.trim() });
    if (clash && clash.id !== exceptId) throw new ConflictException(`a strategy named "${name.trim()}" already exists`);
  }
}
