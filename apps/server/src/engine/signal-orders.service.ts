import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Alert, ExitSpec, Instrument, OrderSide, OrderType, PriceTarget, StrategyExits } from '@tradeloop/contracts';
import { linkTarget } from '@tradeloop/domain';
import { Repository } from 'typeorm';
import type { Account } from '../accounts/account.entity.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { BracketsService } from '../execution/brackets.service.js';
import { ExecutionService } from '../execution/execution.service.js';
import { Position } from '../ledger/position.entity.js';
import { MarketService } from '../market/market.service.js';
import { StrategyLinksService } from '../strategies/strategy-links.service.js';
import type { Strategy } from '../strategies/strategy.entity.js';

/** How long a market order waits for the first quote of a ticker nobody watched yet. */
const FIRST_QUOTE_TIMEOUT_MS = 1500;

/** One place a signal is traded: the strategy's own account (its recorder) or a link. */
interface Leg {
  label: string;
  account: Account;
  /** Where its position is kept: the strategy's id for the recorder, the link's for a copy. */
  positionKey: string;
  linkId: string | null;
  ticker: string;
  target: number;
  inverse: boolean;
  /** Client order id prefix: unique per event and leg, so a redelivered event never orders twice. */
  idPrefix: string;
}

/**
 * Carries a pass-through strategy's target position to its recorder and to every enabled link:
 * each leg trades the difference to its own target (scaled, on its own symbol, inverted if asked),
 * with the alert's exits or the strategy's defaults as a bracket on whatever the order opens.
 */
@Injectable()
export class SignalOrdersService {
  constructor(
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    private readonly accounts: AccountsService,
    private readonly links: StrategyLinksService,
    private readonly execution: ExecutionService,
    private readonly brackets: BracketsService,
    private readonly market: MarketService,
  ) {}

  /** The recorder's position now, which the alert's semantics move. */
  async recorderPosition(strategy: Strategy, ticker: string): Promise<number> {
    return (await this.positions.findOneBy({ accountId: strategy.accountId, strategyId: strategy.id, ticker }))?.quantity ?? 0;
  }

  /** Trades every leg to its target; one line per leg for the event's log. */
  async trade(strategy: Strategy, eventId: string, alert: Alert & { ticker: string }, target: number): Promise<string[]> {
    const legs = await this.legs(strategy, eventId, alert.ticker, target);
    const exits = this.exits(strategy, alert);
    const notes: string[] = [];
    for (const leg of legs) notes.push(await this.tradeLeg(strategy, eventId, alert, leg, exits));
    return notes;
  }

  private async legs(strategy: Strategy, eventId: string, ticker: string, target: number): Promise<Leg[]> {
    const recorder: Leg = {
      label: 'recorder',
      account: await this.accounts.get(strategy.accountId),
      positionKey: strategy.id,
      linkId: null,
      ticker,
      target,
      inverse: false,
      idPrefix: eventId,
    };
    const legs = [recorder];
    for (const link of await this.links.enabledFor(strategy.id)) {
      const linkTicker = link.symbolOverride ?? ticker;
      const whole = this.market.instrument(linkTicker).kind === 'future';
      legs.push({
        label: `link ${link.id.slice(0, 8)}`,
        account: await this.accounts.get(link.accountId),
        positionKey: link.id,
        linkId: link.id,
        ticker: linkTicker,
        target: linkTarget(target, link, whole),
        inverse: link.inverse,
        idPrefix: `${eventId}:L${link.id}`,
      });
    }
    return legs;
  }

  private async tradeLeg(strategy: Strategy, eventId: string, alert: Alert, leg: Leg, exits: StrategyExits | null): Promise<string> {
    const where = leg.linkId ? `${leg.account.name} (${leg.label})` : leg.account.name;
    const current =
      (await this.positions.findOneBy({ accountId: leg.account.id, strategyId: leg.positionKey, ticker: leg.ticker }))?.quantity ?? 0;
    if (leg.target === current) return `${where}: already at target position ${leg.target} ${leg.ticker}`;
    const type: OrderType = alert.orderType ?? 'market';
    if (type === 'market') await this.market.awaitQuote(leg.ticker, FIRST_QUOTE_TIMEOUT_MS);
    const instrument = this.market.instrument(leg.ticker);
    const opens = Math.abs(leg.target) > 0 && (Math.sign(leg.target) !== Math.sign(current) || Math.abs(leg.target) > Math.abs(current));
    const reverses = current !== 0 && leg.target !== 0 && Math.sign(leg.target) !== Math.sign(current);
    const bracket = opens && exits ? this.bracket(strategy.id, exits, alert, leg, instrument) : null;

    // With exits on a reversal, the close and the new position are two orders, so the bracket covers only the new one.
    const parts: { quantity: number; side: OrderSide; withBracket: boolean }[] =
      bracket && reverses
        ? [
            { quantity: Math.abs(current), side: current > 0 ? 'sell' : 'buy', withBracket: false },
            { quantity: Math.abs(leg.target), side: leg.target > 0 ? 'buy' : 'sell', withBracket: true },
          ]
        : [{ quantity: Math.abs(leg.target - current), side: leg.target > current ? 'buy' : 'sell', withBracket: bracket !== null }];
    const done: string[] = [];
    for (const [i, part] of parts.entries()) {
      const clientOrderId = `${leg.idPrefix}:${i + 1}`;
      if (part.withBracket && bracket) await this.brackets.attachBracket(clientOrderId, bracket);
      const order = await this.execution.submit({
        clientOrderId,
        account: leg.account,
        strategyId: strategy.id,
        linkId: leg.linkId,
        eventId,
        ticker: leg.ticker,
        side: part.side,
        quantity: part.quantity,
        type,
        // A copy on another symbol or side cannot use the alert's prices.
        limitPrice: leg.linkId && (leg.inverse || leg.ticker !== alert.ticker) ? undefined : alert.limitPrice,
        stopPrice: leg.linkId && (leg.inverse || leg.ticker !== alert.ticker) ? undefined : alert.stopPrice,
        referencePrice: leg.ticker === alert.ticker ? alert.price : undefined,
      });
      done.push(
        `${order.side} ${order.quantity} ${order.ticker} ${order.type}${part.withBracket ? ' with exits' : ''} → ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
      );
    }
    return `${where}: ${done.join(', ')}; target position ${leg.target}`;
  }

  /** The alert's exits win over the strategy's defaults, each side on its own. */
  private exits(strategy: Strategy, alert: Alert): StrategyExits | null {
    const defaults = strategy.exits ?? {};
    const merged: StrategyExits = {
      ...defaults,
      ...(alert.takeProfit ? { takeProfit: alert.takeProfit } : {}),
      ...(alert.stopLoss ? { stopLoss: alert.stopLoss } : {}),
    };
    return merged.takeProfit || merged.stopLoss ? merged : null;
  }

  private bracket(strategyId: string, exits: StrategyExits, alert: Alert, leg: Leg, instrument: Instrument) {
    // Prices on another symbol or the other side make no sense for a copy: those legs fall back to none.
    const samePrices = !leg.inverse && leg.ticker === alert.ticker;
    const reference = alert.price ?? this.market.latest(leg.ticker)?.ask ?? null;
    const target = (spec: ExitSpec | undefined): PriceTarget | undefined => {
      if (!spec) return undefined;
      if ('price' in spec) return samePrices ? { price: spec.price } : undefined;
      if ('ticks' in spec) return { ticks: spec.ticks };
      if ('points' in spec) return { ticks: Math.max(1, Math.round(spec.points / instrument.tickSize)) };
      // A percent of the entry, taken at the price the alert carried or the current quote.
      return reference === null ? undefined : { ticks: Math.max(1, Math.round((reference * spec.percent) / 100 / instrument.tickSize)) };
    };
    return {
      strategyId,
      takeProfit: target(exits.takeProfit),
      stopLoss: target(exits.stopLoss),
      breakEvenTicks: exits.breakEvenTicks,
      trailingTicks: exits.trailingTicks,
    };
  }
}
