import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, type Repository } from 'typeorm';
import { StrategyLink } from './strategy-link.entity.js';
import { Strategy } from './strategy.entity.js';

/** What other modules may read of strategies and their links; the strategies module alone writes them. */
@Injectable()
export class StrategiesReader {
  constructor(
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    @InjectRepository(StrategyLink) private readonly links: Repository<StrategyLink>,
  ) {}

  byId(id: string): Promise<Strategy | null> {
    return this.strategies.findOneBy({ id });
  }

  all(): Promise<Strategy[]> {
    return this.strategies.find();
  }

  enabled(): Promise<Strategy[]> {
    return this.strategies.findBy({ enabled: true });
  }

  /** Strategies with limits of their own. */
  withRisk(): Promise<Strategy[]> {
    return this.strategies.findBy({ risk: Not(IsNull()) });
  }

  /** Ids of the enabled strategies that run a script. */
  async enabledScriptedIds(): Promise<string[]> {
    const rows = await this.strategies.find({ select: { id: true }, where: { enabled: true, script: Not(IsNull()) } });
    return rows.map((r) => r.id);
  }

  /** Ids of the strategies that run script `name`. */
  async idsRunning(name: string): Promise<string[]> {
    const rows = await this.strategies.find({ select: { id: true }, where: { script: name } });
    return rows.map((r) => r.id);
  }

  /** Script name → the strategies that run it. */
  async byScript(): Promise<Map<string, string[]>> {
    const rows = await this.strategies.find({ select: { id: true, script: true } });
    const map = new Map<string, string[]>();
    for (const row of rows) if (row.script) map.set(row.script, [...(map.get(row.script) ?? []), row.id]);
    return map;
  }

  linksOf(strategyId: string): Promise<StrategyLink[]> {
    return this.links.findBy({ strategyId });
  }

  link(id: string): Promise<StrategyLink | null> {
    return this.links.findOneBy({ id });
  }
}
