import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Quote, ScriptParams, ScriptPnl, ScriptPosition, ScriptQuote } from '@tradeloop/contracts';
import { openPnlCents, toDollars } from '@tradeloop/domain';
import { DomainEvents } from '../infra/events/domain-events.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import type { Position } from '../ledger/position.entity.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { MarketService } from '../market/market.service.js';
import { RiskService } from '../risk/risk.service.js';
import type { Strategy } from '../strategies/strategy.entity.js';

/** What `ctx` is built from inside the isolate: copied in as JSON before every call. */
export interface ContextSnapshot {
  strategyId: string;
  params: ScriptParams;
  state: unknown;
  positions: Record<string, ScriptPosition>;
  quotes: Record<string, ScriptQuote>;
  pnl: ScriptPnl;
  now: number;
  /** Spellings the script declared (`CME_MINI:NQ1!`) → canonical tickers, for ctx.position / ctx.quote. */
  aliases: Record<string, string>;
}

/** Quotes copied into one call, at most. */
const MAX_QUOTES = 200;

/**
 * Builds the snapshot a handler call sees: the strategy's positions and P&L, quotes, params and state.
 *
 * With the in-process queue (one process books every fill) a strategy's position rows are kept
 * between calls and read again after a fill was booked for it or the strategy changed: a tick
 * does not read the database. Open P&L is worked out from the newest quotes on every call.
 */
@Injectable()
export class ScriptContextService implements OnModuleInit, OnModuleDestroy {
  /** Position rows by strategy, as last read, and the account they were read for. */
  private readonly held = new Map<string, { accountId: string; rows: Position[] }>();
  /** Bumped whenever kept rows are dropped: rows read across a bump are not kept. */
  private generation = 0;
  private readonly keep: boolean;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly positions: PositionsReader,
    private readonly market: MarketService,
    private readonly events: DomainEvents,
    private readonly risk: RiskService,
    @Inject(EVENT_QUEUE) queue: EventQueue,
  ) {
    // With BullMQ, fills may be booked by another process, whose news never reaches this one.
    this.keep = queue.driver === 'memory';
  }

  onModuleInit(): void {
    if (!this.keep) return;
    this.stops.push(
      this.events.on('FillBooked', ({ position }) => this.forget(position.strategyId)),
      this.events.on('StrategyChanged', ({ strategyId }) => this.forget(strategyId)),
    );
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
  }

  /** The strategy's position rows are read again on its next call. */
  forget(strategyId: string | null): void {
    this.generation++;
    if (strategyId !== null) this.held.delete(strategyId);
  }

  private async positionRows(strategy: Strategy): Promise<Position[]> {
    const kept = this.keep ? this.held.get(strategy.id) : undefined;
    if (kept && kept.accountId === strategy.accountId) return kept.rows;
    const generation = this.generation;
    const rows = await this.positions.where({ strategyId: strategy.id, accountId: strategy.accountId });
    if (this.keep && generation === this.generation) this.held.set(strategy.id, { accountId: strategy.accountId, rows });
    return rows;
  }

  scriptQuote(quote: Quote): ScriptQuote {
    const instrument = this.market.instrument(quote.ticker);
    return {
      ticker: quote.ticker,
      bid: quote.bid,
      ask: quote.ask,
      step: instrument.tickSize,
      amnt: instrument.tickValue,
      time: quote.time,
    };
  }

  /** Declared tickers by how the script wrote them, resolved; unknown spellings are left out. */
  aliases(declared: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const ticker of declared) {
      try {
        out[ticker] = this.market.resolve(ticker).ticker;
      } catch {
        /* not a ticker the catalog knows: the script will see no quote for it */
      }
    }
    return out;
  }

  async build(
    strategy: Strategy,
    input: { params: ScriptParams; initialState: unknown; declared: string[]; now: number; ticker?: string },
  ): Promise<ContextSnapshot> {
    const [rows, pending] = await this.risk.withMarketFilling(strategy.accountId, strategy.id, () => this.positionRows(strategy));
    const aliases = this.aliases(input.declared);
    const positions: Record<string, ScriptPosition> = {};
    let realizedCents = 0;
    let openCents: number | null = 0;
    for (const row of rows) {
      realizedCents += row.realizedCents;
      const quote = this.market.latest(row.ticker);
      const open = row.quantity === 0 ? 0 : quote ? openPnlCents({ lots: row.lots }, quote, this.market.instrument(row.ticker)) : null;
      openCents = openCents === null || open === null ? null : openCents + open;
      positions[row.ticker] = {
        ticker: row.ticker,
        quantity: row.quantity,
        pending: pending.get(row.ticker) ?? 0,
        avgPrice: row.avgPrice,
        openPnl: open === null ? null : toDollars(open),
        realizedPnl: toDollars(row.realizedCents),
      };
    }
    // A first entry on its way: nothing booked in the ticker yet.
    for (const [ticker, quantity] of pending) {
      if (!positions[ticker]) positions[ticker] = { ticker, quantity: 0, pending: quantity, avgPrice: null, openPnl: 0, realizedPnl: 0 };
    }
    const wanted = new Set([...Object.values(aliases), ...Object.keys(positions), ...(input.ticker ? [input.ticker] : [])]);
    const quotes: Record<string, ScriptQuote> = {};
    for (const ticker of [...wanted].slice(0, MAX_QUOTES)) {
      const quote = this.market.latest(ticker);
      if (quote) quotes[ticker] = this.scriptQuote(quote);
    }
    const realized = toDollars(realizedCents);
    const open = openCents === null ? null : toDollars(openCents);
    return {
      strategyId: strategy.id,
      params: input.params,
      state: strategy.state !== null ? (JSON.parse(strategy.state) as unknown) : (input.initialState ?? {}),
      positions,
      quotes,
      pnl: { realized, open, total: open === null ? null : toDollars(realizedCents + openCents!) },
      now: input.now,
      aliases,
    };
  }
}
