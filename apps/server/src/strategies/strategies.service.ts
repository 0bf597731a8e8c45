import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ScriptParams, StrategyDetail, StrategyListItem, StrategyStatus, StrategyView } from '@tradeloop/contracts';
import { checkExits, checkRiskLimits, isValidTimeZone } from '@tradeloop/domain';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { iso } from '../common/money.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { SecretBox } from '../infra/secrets/secret-box.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { MarketService } from '../market/market.service.js';
import { paramsProblem, scriptNameProblem } from '../scripts/script-rules.js';
import { ScriptsService } from '../scripts/scripts.service.js';
import { livePnlView, PnlLiveService } from '../pnl/pnl-live.service.js';
import type { CreateStrategyDto, UpdateStrategyDto } from './dto/strategy.dto.js';
import { StrategyLinksService } from './strategy-links.service.js';
import { normalizeAllowList } from './ip-allow-list.js';
import { LastSignals } from './last-signals.js';
import { newWebhookToken, webhookTokenHash } from './webhook-token.js';
import { Strategy } from './strategy.entity.js';
import { StrategyCache } from './strategy-cache.js';
import { DomainEvents } from '../infra/events/domain-events.js';

@Injectable()
export class StrategiesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    private readonly positions: PositionsReader,
    private readonly accounts: AccountsService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly scripts: ScriptsService,
    private readonly bus: EventBus,
    private readonly events: DomainEvents,
    private readonly pnl: PnlLiveService,
    private readonly signals: LastSignals,
    private readonly links: StrategyLinksService,
    private readonly secretBox: SecretBox,
    private readonly cache: StrategyCache,
  ) {}

  webhookUrl(token: string): string {
    const base = this.config.server.publicUrl || `http://localhost:${this.config.server.port}`;
    return `${base.replace(/\/+$/, '')}/webhooks/${token}`;
  }

  /**
   * A strategy as the API shows it. The webhook token and URL are there only for a caller who may
   * trade (`showSecret`): a read-only token never sees them. null when the token cannot be opened
   * (sealed under another secret key): rotating it gives a new one.
   */
  view(s: Strategy, showSecret: boolean): StrategyView {
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      accountId: s.accountId,
      defaultQuantity: s.defaultQuantity,
      defaultTicker: s.defaultTicker,
      script: s.script,
      params: s.script ? (s.params ?? {}) : null,
      status: s.status,
      statusReason: s.statusReason,
      ...(showSecret ? this.webhook(s) : {}),
      allowedIps: s.allowedIps ?? [],
      exits: s.exits,
      risk: s.risk,
      haltedUntil: iso(s.haltedUntil),
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
    };
  }

  private webhook(s: Strategy): { webhookToken: string | null; webhookUrl: string | null } {
    try {
      const token = this.secretBox.open(s.webhookTokenSealed);
      return { webhookToken: token, webhookUrl: this.webhookUrl(token) };
    } catch {
      return { webhookToken: null, webhookUrl: null };
    }
  }

  /** Every strategy with its live P&L and position (one positions query for all of them) and its last accepted alert. */
  async list(showSecrets: boolean): Promise<StrategyListItem[]> {
    const strategies = await this.strategies.find({ order: { createdAt: 'ASC' } });
    const [live, signals] = await Promise.all([this.pnl.of('strategy'), this.lastSignals()]);
    return strategies.map((s) => ({
      ...this.view(s, showSecrets),
      ...livePnlView(live.get(s.id)),
      lastSignalAt: iso(signals.get(s.id) ?? null),
    }));
  }

  /**
   * One strategy with its live P&L, position and last accepted alert — its recorder: the signal
   * traded on the strategy's own account — and each link (a copy to another account) with its own.
   */
  async detail(id: string, showSecret: boolean): Promise<StrategyDetail> {
    const strategy = await this.get(id);
    const links = await this.links.forStrategy(id);
    const [live, signals] = await Promise.all([this.pnl.of('strategy', [id, ...links.map((l) => l.id)]), this.lastSignals(id)]);
    return {
      ...this.view(strategy, showSecret),
      ...livePnlView(live.get(id)),
      lastSignalAt: iso(signals.get(id) ?? null),
      links: links.map((l) => ({ ...this.links.view(l), ...livePnlView(live.get(l.id)) })),
    };
  }
  /** When each strategy's newest accepted alert arrived (the webhooks module answers). */
  private lastSignals(id?: string): Promise<Map<string, number>> {
    return this.signals.of(id);
  }

  async get(id: string): Promise<Strategy> {
    const strategy = await this.strategies.findOneBy({ id });
    if (!strategy) throw new NotFoundException(`strategy ${id} not found`);
    return strategy;
  }

  /**
   * The strategy a webhook token belongs to, looked up by the token's SHA-256: the database holds
   * no token to compare, and response timing says nothing about how close a guess came.
   */
  async findByToken(token: string): Promise<Strategy | null> {
    if (!token || token.length > 64) return null;
    return this.findByTokenHash(webhookTokenHash(token));
  }

  /**
   * The same by the token's SHA-256, from memory (StrategyCache): the intake asks once per alert.
   * The row is shared: the caller must not change it.
   */
  findByTokenHash(hash: string): Promise<Strategy | null> {
    return this.cache.byTokenHash(hash);
  }

  /** A new webhook secret; the old URL stops working at once. */
  async rotateToken(id: string): Promise<StrategyView> {
    const strategy = await this.get(id);
    const changes = { ...this.newToken(), updatedAt: Date.now() };
    await this.database.transaction((m) => m.update(Strategy, { id }, changes));
    // The old token must stop working in every process at once.
    this.changed(id);
    return this.view({ ...strategy, ...changes }, true);
  }

  async create(dto: CreateStrategyDto): Promise<StrategyView> {
    const account = dto.accountId ? await this.accounts.get(dto.accountId) : await this.accounts.defaultAccount();
    await this.assertNameFree(dto.name);
    const script = dto.script ? this.checkScript(dto.script, dto.params ?? {}) : null;
    if (!dto.script && dto.params !== undefined) throw new BadRequestException('params: only a strategy with a script has params');
    const now = Date.now();
    const enabled = dto.enabled ?? true;
    const strategy = this.strategies.create({
      id: randomUUID(),
      name: dto.name.trim(),
      description: dto.description ?? '',
      enabled,
      status: enabled ? 'enabled' : 'disabled',
      statusReason: null,
      accountId: account.id,
      defaultQuantity: dto.defaultQuantity ?? 1,
      defaultTicker: dto.defaultTicker ? this.ticker('defaultTicker', dto.defaultTicker) : null,
      ...this.newToken(),
      allowedIps: dto.allowedIps ? this.allowList(dto.allowedIps) : null,
      script: script?.name ?? null,
      params: script ? ((dto.params ?? {}) as ScriptParams) : null,
      state: null,
      exits: this.exits(dto.exits),
      risk: this.risk(dto.risk),
      haltedUntil: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.database.transaction(async (m) => {
      await m.insert(Strategy, strategy);
      if (dto.links) await this.links.replace(m, strategy.id, strategy.accountId, dto.links);
    });
    this.publishStatus(strategy);
    this.changed(strategy.id);
    this.cache.put(strategy);
    return this.view(strategy, true);
  }

  async update(id: string, dto: UpdateStrategyDto): Promise<StrategyView> {
    const strategy = await this.get(id);
    if (dto.accountId) await this.accounts.get(dto.accountId);
    if (dto.name !== undefined && dto.name.trim() !== strategy.name) await this.assertNameFree(dto.name, id);
    const changes: Partial<Strategy> = {
      ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
      ...(dto.accountId !== undefined ? { accountId: dto.accountId } : {}),
      ...(dto.defaultQuantity !== undefined ? { defaultQuantity: dto.defaultQuantity } : {}),
      ...(dto.defaultTicker !== undefined
        ? { defaultTicker: dto.defaultTicker === null ? null : this.ticker('defaultTicker', dto.defaultTicker) }
        : {}),
      ...(dto.allowedIps !== undefined ? { allowedIps: this.allowList(dto.allowedIps) } : {}),
      ...this.scriptChanges(strategy, dto),
      ...(dto.exits !== undefined ? { exits: this.exits(dto.exits) } : {}),
      ...(dto.risk !== undefined ? { risk: this.risk(dto.risk) } : {}),
      updatedAt: Date.now(),
    };
    // Enabling clears an error; the status always follows `enabled`.
    if (dto.enabled !== undefined) {
      changes.enabled = dto.enabled;
      changes.status = dto.enabled ? 'enabled' : 'disabled';
      changes.statusReason = null;
      changes.haltedUntil = null;
    }
    await this.database.transaction(async (m) => {
      await m.update(Strategy, { id }, changes);
      if (dto.links) await this.links.replace(m, id, changes.accountId ?? strategy.accountId, dto.links);
    });
    const updated = { ...strategy, ...changes };
    if (updated.status !== strategy.status) this.publishStatus(updated);
    this.changed(id);
    return this.view(updated, true);
  }

  /** A strategy whose script keeps failing stops: disabled, errored with the reason, announced on /ws. */
  async setErrored(id: string, reason: string): Promise<void> {
    const strategy = await this.strategies.findOneBy({ id });
    if (!strategy) return;
    const changes = { enabled: false, status: 'errored' as const, statusReason: reason.slice(0, 500), updatedAt: Date.now() };
    await this.database.transaction((m) => m.update(Strategy, { id }, changes));
    this.publishStatus({ ...strategy, ...changes });
    this.changed(id);
  }

  /**
   * A daily limit was hit (or the kill switch): disabled until `until` (null: until enabled by
   * hand), with the reason, announced on /ws.
   */
  async halt(id: string, reason: string, until: number | null): Promise<void> {
    const strategy = await this.strategies.findOneBy({ id });
    if (!strategy) return;
    const changes = {
      enabled: false,
      status: 'disabled' as const,
      statusReason: reason.slice(0, 500),
      haltedUntil: until,
      updatedAt: Date.now(),
    };
    await this.database.transaction((m) => m.update(Strategy, { id }, changes));
    this.publishStatus({ ...strategy, ...changes });
    this.changed(id);
  }

  /** Strategies whose daily halt is over take alerts again; returns their names. */
  async resumeHalted(now: number): Promise<string[]> {
    const due = (await this.strategies.find({ where: { enabled: false } })).filter((s) => s.haltedUntil !== null && s.haltedUntil <= now);
    for (const strategy of due) {
      const changes = { enabled: true, status: 'enabled' as const, statusReason: null, haltedUntil: null, updatedAt: now };
      await this.database.transaction((m) => m.update(Strategy, { id: strategy.id }, changes));
      this.publishStatus({ ...strategy, ...changes });
      this.changed(strategy.id);
    }
    return due.map((s) => s.name);
  }

  /** The default tickers of enabled strategies: always quoted, with the watchlist. */
  async defaultTickers(): Promise<string[]> {
    const rows = await this.strategies
      .createQueryBuilder('s')
      .select('DISTINCT s.defaultTicker', 'ticker')
      .where('s.enabled = :enabled AND s.defaultTicker IS NOT NULL', { enabled: true })
      .getRawMany<{ ticker: string }>();
    return rows.map((r) => r.ticker).sort();
  }

  /** `ctx.state` after a call that succeeded. */
  async saveState(id: string, state: string): Promise<void> {
    await this.database.transaction((m) => m.update(Strategy, { id }, { state }));
    this.cache.putState(id, state);
  }

  private scriptChanges(strategy: Strategy, dto: UpdateStrategyDto): Partial<Strategy> {
    const script = dto.script === undefined ? strategy.script : dto.script;
    if (!script) {
      if (dto.params !== undefined && dto.params !== null)
        throw new BadRequestException('params: only a strategy with a script has params');
      return dto.script === null ? { script: null, params: null } : {};
    }
    if (dto.script === undefined && dto.params === undefined) return {};
    const entry = this.checkScript(script, dto.params ?? {});
    // A new script keeps the user's values it still declares with the same type.
    const kept = Object.fromEntries(
      Object.entries(strategy.params ?? {}).filter(([key, value]) => paramsProblem(entry.meta.params, { [key]: value }, script) === null),
    );
    return { script, params: (dto.params ?? kept) as ScriptParams };
  }

  private checkScript(name: string, params: Record<string, unknown>) {
    const problem = scriptNameProblem(name);
    if (problem) throw new BadRequestException(`script: ${problem}`);
    const entry = this.scripts.current(name);
    if (!entry) throw new BadRequestException(`script: no script named ${name} in the scripts folder`);
    if (!entry.meta) throw new BadRequestException(`script: ${name} does not load: ${entry.error?.message ?? 'unknown error'}`);
    const paramsError = paramsProblem(entry.meta.params, params, name);
    if (paramsError) throw new BadRequestException(paramsError);
    return { name, meta: entry.meta };
  }

  private publishStatus(s: Pick<Strategy, 'id' | 'name' | 'status' | 'statusReason'>): void {
    this.bus.publish('STRATEGY', { id: s.id, name: s.name, status: s.status as StrategyStatus, reason: s.statusReason, time: Date.now() });
  }

  /** StrategyChanged: a strategy was created, changed, errored or deleted. */
  private changed(id: string): void {
    // Dropped before anyone hears of the change, so whoever reads it then reads it anew.
    this.cache.forget(id);
    this.events.publish('StrategyChanged', { strategyId: id });
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    const open = await this.positions.countOpen(id);
    if (open > 0) throw new ConflictException('strategy has open positions: flatten them before deleting it');
    await this.database.transaction((m) => m.delete(Strategy, { id }));
    this.changed(id);
  }

  private exits(raw: Record<string, unknown> | null | undefined) {
    const checked = checkExits(raw);
    if (!checked.ok) throw new BadRequestException(checked.error);
    return checked.value;
  }

  private risk(raw: Record<string, unknown> | null | undefined) {
    const checked = checkRiskLimits(raw, isValidTimeZone);
    if (!checked.ok) throw new BadRequestException(checked.error);
    return checked.value;
  }

  /** The canonical ticker, or 400 with the catalogue's reason. */
  private ticker(field: string, raw: string): string {
    try {
      return this.market.resolve(raw).ticker;
    } catch (error) {
      throw new BadRequestException(`${field}: ${(error as Error).message}`);
    }
  }

  private newToken() {
    const token = newWebhookToken();
    return { webhookTokenHash: webhookTokenHash(token), webhookTokenSealed: this.secretBox.seal(token) };
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
