import { Injectable } from '@nestjs/common';
import type { Quote, ScriptParams, ScriptPnl, ScriptPosition, ScriptQuote } from '@tradeloop/contracts';
import { openPnlCents, toDollars } from '@tradeloop/domain';
import { PositionsReader } from '../ledger/positions.reader.js';
import { MarketService } from '../market/market.service.js';
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

/** Builds the snapshot a handler call sees: the strategy's positions and P&L, quotes, params and state. */
@Injectable()
export class ScriptContextService {
  constructor(
    private readonly positions: PositionsReader,
    private readonly market: MarketService,
  ) {}

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
    const rows = await this.positions.where({ strategyId: strategy.id, accountId: strategy.accountId });
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
        avgPrice: row.avgPrice,
        openPnl: open === null ? null : toDollars(open),
        realizedPnl: toDollars(row.realizedCents),
      };
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
