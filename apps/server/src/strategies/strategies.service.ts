import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { Not, Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { iso } from '../common/money.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { Position } from '../ledger/position.entity.js';
import { MarketService } from '../market/market.service.js';
import { livePnlView, PnlLiveService } from '../pnl/pnl-live.service.js';
import type { CreateStrategyDto, UpdateStrategyDto } from './dto/strategy.dto.js';
import { Strategy } from './strategy.entity.js';

/** 192 random bits, URL-safe: the only secret between TradingView and this server. */
export const newWebhookToken = () => randomBytes(24).toString('base64url');

@Injectable()
export class StrategiesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    private readonly accounts: AccountsService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly pnl: PnlLiveService,
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
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
    };
  }

  /** Every strategy with its live P&L and position (one positions query for all of them). */
  async list() {
    const strategies = await this.strategies.find({ order: { createdAt: 'ASC' } });
    const live = await this.pnl.of('strategy');
    return strategies.map((s) => ({ ...this.view(s), ...livePnlView(live.get(s.id)) }));
  }

  /** One strategy with its live P&L and position. */
  async detail(id: string) {
    const strategy = await this.get(id);
    const live = await this.pnl.of('strategy', [id]);
    return { ...this.view(strategy), ...livePnlView(live.get(id)) };
  }

  async get(id: string): Promise<Strategy> {
    const strategy = await this.strategies.findOneBy({ id });
    if (!strategy) throw new NotFoundException(`strategy ${id} not found`);
    return strategy;
  }

  findByToken(token: string): Promise<Strategy | null> {
    return this.strategies.findOneBy({ webhookToken: token });
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
      webhookToken: newWebhookToken(),
      createdAt: now,
      updatedAt: now,
    });
    await this.database.transaction((m) => m.insert(Strategy, strategy));
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
      updatedAt: Date.now(),
    };
    await this.database.transaction((m) => m.update(Strategy, { id }, changes));
    return this.view({ ...strategy, ...changes });
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    const open = await this.positions.countBy({ strategyId: id, quantity: Not(0) });
    if (open > 0) throw new ConflictException('strategy has open positions: flatten them before deleting it');
    await this.database.transaction((m) => m.delete(Strategy, { id }));
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    const clash = await this.strategies.findOneBy({ name: name.trim() });
    if (clash && clash.id !== exceptId) throw new ConflictException(`a strategy named "${name.trim()}" already exists`);
  }
}
