import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { StrategyLink } from './strategy-link.entity.js';
import { Strategy } from './strategy.entity.js';

/**
 * How long an entry is served before it is read again: a bound on staleness should a change notice
 * ever be missed. An older entry is served once more while it is read again in the background.
 */
export const STRATEGY_CACHE_FRESH_MS = 10_000;

/**
 * How long after an old entry was served it is read again: past the alert that found it, whose
 * path the read (through the ORM, seldom run and so seldom optimized) would otherwise slow by
 * about a millisecond.
 */
export const STRATEGY_REFRESH_DELAY_MS = 50;

interface Entry {
  strategy: Strategy;
  loadedAt: number;
}

/** A read under way: the changes it began after, and whether a change to its own strategy came since. */
type Loading = Promise<Strategy | null> & { seen: number; overtaken: boolean };

/**
 * Strategies and their links held in memory, by id and by webhook-token hash, for the hot path (the intake looks
 * one up per alert, the engine per event). Kept current three ways:
 *
 * - write-through: the strategies service puts each row it writes once its commit is done;
 * - StrategyChanged (published after every change) drops the entry, so the next read is fresh;
 *   with Redis the notice also reaches every other process (StrategyChangeRelay), and while that
 *   relay is not connected nothing is served from memory;
 * - an entry older than STRATEGY_CACHE_FRESH_MS is read again shortly after it is served: the
 *   alert that finds it is not held up by the read (a trader's alerts are often minutes apart, so
 *   each would otherwise pay for one), and the next one sees what the read found.
 *
 * A read that started before a change and ends after it is not kept (each change bumps a
 * counter the read checks), nor one of a strategy whose script saved its state meanwhile, so a
 * slow read never brings an old row back. A restart starts empty.
 * Unknown tokens are never remembered: a strategy created a moment ago answers at once.
 */
@Injectable()
export class StrategyCache implements OnModuleDestroy {
  private readonly byId = new Map<string, Entry>();
  private readonly idByHash = new Map<string, string>();
  /** Each strategy's links (copies to other accounts), oldest first. */
  private readonly links = new Map<string, { links: StrategyLink[]; loadedAt: number }>();
  /** Reads under way, by what they look up: requests that miss together share one query. */
  private readonly loading = new Map<string, Loading>();
  /** Reads again that are due (see STRATEGY_REFRESH_DELAY_MS), by what they read. */
  private readonly refreshes = new Map<string, NodeJS.Timeout>();
  /** Bumped by every change: a read that saw another value is not stored. */
  private changes = 0;
  /** False while the cross-process relay is needed but not connected: every read goes to the database. */
  private serving: boolean;
  /** No Redis: this is the only process, and every write to strategies goes through it. */
  readonly exclusive: boolean;
  private readonly stop: () => void;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectRepository(Strategy) private readonly strategies: Repository<Strategy>,
    @InjectRepository(StrategyLink) private readonly linkRows: Repository<StrategyLink>,
    events: DomainEvents,
  ) {
    // With Redis other processes change strategies too: wait for the relay before trusting memory.
    this.exclusive = soleWriter(config);
    this.serving = this.exclusive;
    this.stop = events.on('StrategyChanged', ({ strategyId }) => this.forget(strategyId));
  }

  onModuleDestroy(): void {
    this.stop();
    for (const timer of this.refreshes.values()) clearTimeout(timer);
    this.refreshes.clear();
  }

  /** A strategy by id; null when there is none. */
  async get(id: string): Promise<Strategy | null> {
    const entry = this.byId.get(id);
    if (entry) return this.served(entry);
    return this.load(`id:${id}`, () => this.strategies.findOneBy({ id }));
  }

  /** The strategy whose webhook token has this SHA-256; null when none has. */
  async byTokenHash(hash: string): Promise<Strategy | null> {
    const id = this.idByHash.get(hash);
    const entry = id === undefined ? undefined : this.byId.get(id);
    if (entry && entry.strategy.webhookTokenHash === hash) return this.served(entry);
    return this.load(`hash:${hash}`, () => this.strategies.findOneBy({ webhookTokenHash: hash }));
  }

  /** One query for every request that misses the same strategy at once; kept only if nothing changed meanwhile. */
  private load(key: string, read: () => Promise<Strategy | null>): Promise<Strategy | null> {
    const under = this.loading.get(key);
    // A read that began before a change may have seen the old row: only one begun after it is shared.
    if (under && under.seen === this.changes && !under.overtaken) return under;
    const seen = this.changes;
    const promise = read().then(
      (row) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        if (row && seen === this.changes && !promise.overtaken) this.store(row);
        return row;
      },
      (error: unknown) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        throw error;
      },
    ) as Loading;
    promise.seen = seen;
    promise.overtaken = false;
    this.loading.set(key, promise);
    return promise;
  }

  /** A strategy's links, oldest first (written only with the strategy, which then publishes StrategyChanged). */
  async linksOf(strategyId: string): Promise<StrategyLink[]> {
    const held = this.links.get(strategyId);
    if (!held) return this.loadLinks(strategyId);
    if (Date.now() - held.loadedAt > STRATEGY_CACHE_FRESH_MS) {
      this.refreshLater(`links:${strategyId}`, () => this.loadLinks(strategyId));
    }
    return held.links;
  }

  private async loadLinks(strategyId: string): Promise<StrategyLink[]> {
    const seen = this.changes;
    const links = await this.linkRows.find({ where: { strategyId }, order: { createdAt: 'ASC' } });
    if (seen === this.changes && this.serving) this.links.set(strategyId, { links, loadedAt: Date.now() });
    return links;
  }

  /** Write-through: the row as it now stands in the database (call after the commit). */
  put(strategy: Strategy): void {
    this.changes++;
    this.drop(strategy.id);
    if (this.serving) this.store({ ...strategy });
  }

  /**
   * Write-through of `ctx.state`, which changes without a StrategyChanged. A change like any other
   * to a read under way: one that began before the save (a read again of this entry) may have seen
   * the state before it, and would put it back. Only this strategy's reads are let go: scripts
   * save state many times a second, and every other strategy's read stays good.
   */
  putState(id: string, state: string): void {
    const entry = this.byId.get(id);
    // Almost always no read is under way: the usual save builds no key.
    if (this.loading.size) {
      for (const key of [`id:${id}`, entry && `hash:${entry.strategy.webhookTokenHash}`]) {
        const reading = key && this.loading.get(key);
        if (reading) reading.overtaken = true;
      }
    }
    if (entry) entry.strategy.state = state;
  }

  /** Drops one strategy: the next read goes to the database. */
  forget(id: string): void {
    this.changes++;
    this.drop(id);
    this.links.delete(id);
  }

  /** Drops everything and stops serving from memory (the relay lost its connection). */
  suspend(): void {
    this.changes++;
    this.serving = false;
    this.byId.clear();
    this.idByHash.clear();
    this.links.clear();
  }

  /** Serves from memory again, starting empty (the relay is subscribed: no change can be missed from now on). */
  resume(): void {
    this.changes++;
    this.byId.clear();
    this.idByHash.clear();
    this.links.clear();
    this.serving = true;
  }

  /** The entry's strategy; past its refresh time it is read again meanwhile (and forgotten should it be gone). */
  private served(entry: Entry): Strategy {
    if (Date.now() - entry.loadedAt > STRATEGY_CACHE_FRESH_MS) {
      const { id } = entry.strategy;
      this.refreshLater(`id:${id}`, async () => {
        const seen = this.changes;
        const row = await this.load(`id:${id}`, () => this.strategies.findOneBy({ id }));
        if (!row && seen === this.changes) this.drop(id);
      });
    }
    return entry.strategy;
  }

  /** One read again per key, STRATEGY_REFRESH_DELAY_MS from now; one that fails leaves the entry to the next. */
  private refreshLater(key: string, read: () => Promise<unknown>): void {
    if (this.refreshes.has(key)) return;
    const timer = setTimeout(() => {
      this.refreshes.delete(key);
      read().catch(() => undefined);
    }, STRATEGY_REFRESH_DELAY_MS);
    timer.unref();
    this.refreshes.set(key, timer);
  }

  private store(strategy: Strategy): void {
    if (!this.serving) return;
    this.drop(strategy.id);
    this.byId.set(strategy.id, { strategy, loadedAt: Date.now() });
    this.idByHash.set(strategy.webhookTokenHash, strategy.id);
  }

  private drop(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    if (this.idByHash.get(entry.strategy.webhookTokenHash) === id) this.idByHash.delete(entry.strategy.webhookTokenHash);
  }
}
