import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, type Repository } from 'typeorm';
import { Statements } from '../database/statements.js';
import { StrategyCache } from './strategy-cache.js';
import { StrategyLink } from './strategy-link.entity.js';
import { Strategy } from './strategy.entity.js';

/** What other modules may read of strategies and their links; the strategies module alone writes them. */
@Injectable()
export class StrategiesReader {
  constructor(
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    @InjectRepository(StrategyLink) private readonly links: Repository<StrategyLink>,
    private readonly cache: StrategyCache,
    private readonly statements: Statements,
  ) {}

  /**
   * A strategy by id, from memory (StrategyCache: current with every change, in every process).
   * A copy: the caller may change it. With several processes a script's `ctx.state` is saved by
   * whichever worker ran it last, so it is read from the database there.
   */
  async byId(id: string): Promise<Strategy | null> {
    const strategy = await this.cache.get(id);
    if (!strategy) return null;
    const copy = { ...strategy };
    if (copy.script !== null && !this.cache.exclusive) {
      const row = await this.statements.get<{ state: string | null }>(undefined, 'SELECT "state" FROM "strategies" WHERE "id" = ?', [id]);
      if (!row) return null;
      copy.state = row.state;
    }
    return copy;
  }

  /** The strategy whose webhook token has this SHA-256, from memory; the caller must not change it. */
  byTokenHash(hash: string): Promise<Strategy | null> {
    return this.cache.byTokenHash(hash);
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

  async linksOf(strategyId: string): Promise<StrategyLink[]> {
    return (await this.cache.linksOf(strategyId)).map((link) => ({ ...link }));
  }

  link(id: string): Promise<StrategyLink | null> {
    return this.links.findOneBy({ id });
  }
}
