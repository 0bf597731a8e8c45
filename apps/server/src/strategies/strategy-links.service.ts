import { BadRequestException, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { StrategyLinkView } from '@tradeloop/contracts';
import { randomUUID } from 'node:crypto';
import { Repository, type EntityManager } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { MarketService } from '../market/market.service.js';
import type { LinkInput } from './dto/strategy.dto.js';
import { StrategyCache } from './strategy-cache.js';
import { StrategyLink } from './strategy-link.entity.js';

/**
 * The accounts a strategy copies its signal to. Link ids key the links' positions and trades, so
 * P&L code asks `isLink` to keep copies out of the strategies' own (recorder) totals.
 */
@Injectable()
export class StrategyLinksService implements OnModuleInit {
  private readonly linkIds = new Set<string>();

  constructor(
    @InjectRepository(StrategyLink) private readonly links: Repository<StrategyLink>,
    private readonly accounts: AccountsReader,
    private readonly market: MarketService,
    private readonly cache: StrategyCache,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const link of await this.links.find({ select: { id: true } })) this.linkIds.add(link.id);
  }

  /** Whether a position's strategy key is a link (a copy to another account), not a strategy. */
  isLink(id: string): boolean {
    return this.linkIds.has(id);
  }

  /** A strategy's links, oldest first, from memory (StrategyCache); copies, which the caller may change. */
  async forStrategy(strategyId: string): Promise<StrategyLink[]> {
    return (await this.cache.linksOf(strategyId)).map((link) => ({ ...link }));
  }

  /** The links that copy the signal now (the engine asks once per alert). */
  async enabledFor(strategyId: string): Promise<StrategyLink[]> {
    return (await this.cache.linksOf(strategyId)).filter((link) => link.enabled).map((link) => ({ ...link }));
  }

  /**
   * Replaces a strategy's links inside the caller's transaction. A link for an account that had
   * one keeps its id, so its positions and P&L go on; links left out are removed (their history stays).
   */
  async replace(m: EntityManager, strategyId: string, recorderAccountId: string, inputs: LinkInput[]): Promise<StrategyLink[]> {
    const seen = new Set<string>();
    const existing = new Map((await m.findBy(StrategyLink, { strategyId })).map((l) => [l.accountId, l]));
    const now = Date.now();
    const next: StrategyLink[] = [];
    for (const [i, input] of inputs.entries()) {
      const field = `links[${i}]`;
      if (input.accountId === recorderAccountId) {
        throw new BadRequestException(`${field}.accountId: that is the strategy's own account (its recorder); link other accounts`);
      }
      if (seen.has(input.accountId)) throw new BadRequestException(`${field}.accountId: linked twice`);
      seen.add(input.accountId);
      if (!(await this.accounts.exists(input.accountId)))
        throw new BadRequestException(`${field}.accountId: no account ${input.accountId}`);
      let symbolOverride: string | null = null;
      if (input.symbolOverride) {
        try {
          symbolOverride = this.market.resolve(input.symbolOverride).ticker;
        } catch (error) {
          throw new BadRequestException(`${field}.symbolOverride: ${(error as Error).message}`);
        }
      }
      const previous = existing.get(input.accountId);
      next.push({
        id: previous?.id ?? randomUUID(),
        strategyId,
        accountId: input.accountId,
        multiplier: input.multiplier ?? 1,
        symbolOverride,
        inverse: input.inverse ?? false,
        enabled: input.enabled ?? true,
        createdAt: previous?.createdAt ?? now + i,
        updatedAt: now,
      });
    }
    const removed = [...existing.values()].filter((l) => !seen.has(l.accountId));
    for (const link of removed) await m.delete(StrategyLink, { id: link.id });
    for (const link of next) await m.save(StrategyLink, link);
    removed.forEach((l) => this.linkIds.delete(l.id));
    next.forEach((l) => this.linkIds.add(l.id));
    return next;
  }

  view(link: StrategyLink): StrategyLinkView {
    return {
      id: link.id,
      accountId: link.accountId,
      multiplier: link.multiplier,
      symbolOverride: link.symbolOverride,
      inverse: link.inverse,
      enabled: link.enabled,
    };
  }
}
