import { Injectable } from '@nestjs/common';
import type { Alert, Instrument, OrderSide, Quote, ServerOrderType } from '@tradeloop/contracts';
import {
  atTick,
  entryReference,
  exitPrice,
  initialTrailingStop,
  legPrices,
  linkTarget,
  planAlert,
  pointValue,
  quotedAlike,
  sizeQuantity,
} from '@tradeloop/domain';
import { AccountsService } from '../accounts/accounts.service.js';
import { MarketService } from '../market/market.service.js';
import { RiskService } from '../risk/risk.service.js';
import { StrategyLinksService } from '../strategies/strategy-links.service.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import { mergedExits, plannedBracket, type PlannedLeg, type PlannedOrder, type SignalPlan } from './signal-plan.js';

/** How long a market order waits for the first quote of a ticker nobody watched yet. */
const FIRST_QUOTE_TIMEOUT_MS = 1500;
/** A preview waits less: it answers a person at a keyboard. */
const PREVIEW_QUOTE_TIMEOUT_MS = 500;

const mid = (quote: Quote | undefined) => (quote ? (quote.bid + quote.ask) / 2 : null);

/**
 * Works out what a pass-through strategy does with an alert, without doing it: the quantity its
 * `quantityType` means, the recorder's target, the working orders it cancels, and per leg (the
 * recorder and every enabled link) the orders with their prices and brackets. The engine executes
 * the plan; the preview shows it.
 */
@Injectable()
export class SignalPlannerService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly links: StrategyLinksService,
    private readonly market: MarketService,
    private readonly risk: RiskService,
  ) {}

  async plan(
    strategy: Strategy,
    alert: Alert & { ticker: string },
    eventId: string,
    options: { preview?: boolean } = {},
  ): Promise<SignalPlan> {
    const instrument = this.market.instrument(alert.ticker);
    const current = await this.position(strategy.accountId, strategy.id, alert.ticker);
    const notes: string[] = [];
    const quote = await this.quoteFor(alert, options.preview === true);
    const type: ServerOrderType = alert.orderType ?? 'market';

    const base: Omit<SignalPlan, 'target' | 'cancel' | 'legs'> = { alert, quantity: null, current, notes };
    const refuse = (error: string): SignalPlan => ({ ...base, target: null, cancel: { working: false, tickers: [] }, legs: [], error });
    const signal = alert.signalPrice ?? alert.price;

    // quantityType: the quantity it means, worked out here where the position, equity and prices are known.
    let sized: Alert = alert;
    if (alert.quantityType && alert.quantity !== undefined && alert.positionSize === undefined) {
      const side: OrderSide = alert.action === 'sell' || (alert.action === 'add' && current < 0) ? 'sell' : 'buy';
      const exits = mergedExits(strategy.exits, alert);
      const stated = type === 'limit' || type === 'stop_limit' ? alert.limitPrice : type === 'stop' ? alert.stopPrice : undefined;
      const entry = stated ?? signal ?? mid(quote);
      const result = sizeQuantity({
        quantityType: alert.quantityType,
        value: alert.quantity,
        entryPrice: entry,
        stopPrice: exits?.stopLoss && entry !== null ? exitPrice(exits.stopLoss, side, entry, 'stopLoss', instrument.tickSize) : null,
        pointValue: pointValue(instrument),
        wholeUnits: instrument.kind === 'future',
        equity:
          alert.quantityType.includes('equity') || alert.quantityType === 'risk_percent'
            ? await this.accounts.balance(strategy.accountId)
            : null,
        position: current,
      });
      if (!result.ok) return refuse(result.error);
      sized = { ...alert, quantity: result.quantity };
      base.quantity = { value: result.quantity, how: result.explanation };
    } else if (alert.positionSize === undefined && alert.action !== 'cancel') {
      const value = alert.quantity ?? (alert.action === 'exit' ? Math.abs(current) : strategy.defaultQuantity);
      base.quantity = {
        value,
        how: alert.quantity !== undefined ? 'as sent' : alert.action === 'exit' ? 'the whole position' : "the strategy's default quantity",
      };
    }

    const decided = planAlert(current, sized, strategy.defaultQuantity);
    if (decided.note) notes.push(decided.note);
    const links = await this.links.enabledFor(strategy.id);
    const cancel = {
      working: decided.cancelWorking,
      ...(decided.cancelOrderType ? { orderType: decided.cancelOrderType } : {}),
      tickers: [...new Set([alert.ticker, ...links.map((l) => this.market.resolve(l.symbolOverride ?? alert.ticker).ticker)])],
    };
    if (decided.target === null) return { ...base, target: null, cancel, legs: [] };

    // The entry's own prices: as sent, else the alert's price, else the market's on the side it trades (TradersPost's rule).
    const touch = quote ? (decided.target > current ? quote.ask : quote.bid) : null;
    const market = signal ?? touch;
    const limitPrice = alert.limitPrice ?? (type === 'limit' ? market : type === 'stop_limit' ? (alert.stopPrice ?? market) : null);
    const stopPrice = alert.stopPrice ?? (type === 'stop' || type === 'stop_limit' ? market : null);
    if ((type === 'limit' || type === 'stop_limit') && limitPrice === null) {
      return refuse(
        `a ${type.replace('_', '-')} order needs a limitPrice: the alert has none, no price, and there is no quote for ${alert.ticker}`,
      );
    }
    if ((type === 'stop' || type === 'stop_limit') && stopPrice === null) {
      return refuse(
        `a ${type.replace('_', '-')} order needs a stopPrice: the alert has none, no price, and there is no quote for ${alert.ticker}`,
      );
    }
    const prices = {
      limit: limitPrice === null ? undefined : atTick(limitPrice, instrument),
      stop: stopPrice === null ? undefined : atTick(stopPrice, instrument),
    };
    const reference = entryReference({ type, limitPrice: prices.limit, stopPrice: prices.stop, signalPrice: signal });

    const legs: PlannedLeg[] = [];
    const recorderAccount = await this.accounts.get(strategy.accountId);
    const candidates = [
      {
        label: 'recorder',
        account: recorderAccount,
        linkId: null as string | null,
        positionKey: strategy.id,
        ticker: alert.ticker,
        target: decided.target,
        inverse: false,
        idPrefix: eventId,
      },
    ];
    for (const link of links) {
      const ticker = this.market.resolve(link.symbolOverride ?? alert.ticker).ticker;
      candidates.push({
        label: `link ${link.id.slice(0, 8)}`,
        account: await this.accounts.get(link.accountId),
        linkId: link.id,
        positionKey: link.id,
        ticker,
        target: linkTarget(decided.target, link, this.market.instrument(ticker).kind === 'future'),
        inverse: link.inverse,
        idPrefix: `${eventId}:L${link.id}`,
      });
    }
    const exits = mergedExits(strategy.exits, alert);
    for (const leg of candidates) {
      const legInstrument = this.market.instrument(leg.ticker);
      const legCurrent = leg.linkId === null ? current : await this.position(leg.account.id, leg.positionKey, leg.ticker);
      const planned: PlannedLeg = {
        label: leg.label,
        accountId: leg.account.id,
        accountName: leg.account.name,
        broker: leg.account.broker,
        linkId: leg.linkId,
        ticker: leg.ticker,
        current: legCurrent,
        target: leg.target,
        orders: [],
      };
      legs.push(planned);
      if (leg.target === legCurrent) continue;
      // The alert's prices hold on a leg quoted alike (NQ and MNQ); its absolute prices only on the same side.
      const alike = quotedAlike(instrument, legInstrument);
      const absolute = alike && !leg.inverse;
      const legQuote = leg.ticker === alert.ticker ? quote : this.market.latest(leg.ticker);
      planned.orders = this.orders(planned, leg.idPrefix, {
        alert,
        type,
        instrument: legInstrument,
        quote: legQuote,
        prices: absolute ? prices : {},
        reference: alike ? reference : null,
        signalPrice: alike ? (alert.signalPrice ?? alert.price) : undefined,
        exits,
        absolute,
      });
    }
    return { ...base, target: decided.target, cancel, legs };
  }

  /** The orders that bring one leg from its position to its target, with the bracket on what they open. */
  private orders(
    leg: PlannedLeg,
    idPrefix: string,
    c: {
      alert: Alert;
      type: ServerOrderType;
      instrument: Instrument;
      quote: Quote | undefined;
      prices: { limit?: number; stop?: number };
      reference: number | null;
      signalPrice: number | undefined;
      exits: ReturnType<typeof mergedExits>;
      absolute: boolean;
    },
  ): PlannedOrder[] {
    const { current, target } = leg;
    const opens = Math.abs(target) > 0 && (Math.sign(target) !== Math.sign(current) || Math.abs(target) > Math.abs(current));
    const reverses = current !== 0 && target !== 0 && Math.sign(target) !== Math.sign(current);
    const bracketSide: OrderSide = target > 0 ? 'buy' : 'sell';
    const bracket =
      opens && c.exits
        ? plannedBracket({
            exits: c.exits,
            side: bracketSide,
            reference: c.reference,
            estimate: mid(c.quote),
            instrument: c.instrument,
            absolute: c.absolute,
          })
        : null;
    // With exits on a reversal, the close and the new position are two orders, so the bracket covers only the new one.
    const parts: { quantity: number; side: OrderSide; withBracket: boolean }[] =
      bracket && reverses
        ? [
            { quantity: Math.abs(current), side: current > 0 ? 'sell' : 'buy', withBracket: false },
            { quantity: Math.abs(target), side: bracketSide, withBracket: true },
          ]
        : [{ quantity: Math.abs(target - current), side: target > current ? 'buy' : 'sell', withBracket: bracket !== null }];
    return parts.map((part, i) => {
      const trailingFrom = c.signalPrice ?? (c.quote ? (part.side === 'sell' ? c.quote.bid : c.quote.ask) : null);
      const stopPrice =
        c.type === 'trailing_stop'
          ? trailingFrom === null
            ? undefined
            : initialTrailingStop(
                part.side,
                trailingFrom,
                { trailAmount: c.alert.trailAmount, trailPercent: c.alert.trailPercent },
                c.instrument.tickSize,
              )
          : c.type === 'stop' || c.type === 'stop_limit'
            ? c.prices.stop
            : undefined;
      const limitPrice = c.type === 'limit' || c.type === 'stop_limit' ? c.prices.limit : undefined;
      const expectedPrice = this.expectedFill(c.type, part.side, c.quote, c.signalPrice, limitPrice, stopPrice);
      const withBracket = part.withBracket ? bracket : null;
      const legs = legPrices(part.side, c.reference ?? expectedPrice.price, c.instrument.tickSize, withBracket);
      return {
        part: i + 1,
        idPrefix,
        side: part.side,
        quantity: part.quantity,
        type: c.type,
        ...(limitPrice !== undefined ? { limitPrice } : {}),
        ...(stopPrice !== undefined ? { stopPrice } : {}),
        ...(c.type === 'trailing_stop' && c.alert.trailAmount !== undefined ? { trailAmount: c.alert.trailAmount } : {}),
        ...(c.type === 'trailing_stop' && c.alert.trailPercent !== undefined ? { trailPercent: c.alert.trailPercent } : {}),
        ...(c.alert.timeInForce ? { timeInForce: c.alert.timeInForce } : {}),
        ...(c.alert.extendedHours ? { extendedHours: true } : {}),
        ...(c.signalPrice !== undefined ? { signalPrice: c.signalPrice } : {}),
        bracket: withBracket,
        expected: { ...expectedPrice, ...legs },
      };
    });
  }

  /** Where a paper account fills now: a fresh real quote, else the alert's price, else the simulated feed. */
  private expectedFill(
    type: ServerOrderType,
    side: OrderSide,
    quote: Quote | undefined,
    signal: number | undefined,
    limit?: number,
    stop?: number,
  ) {
    if (type === 'limit') return { price: limit ?? null, source: 'limit' };
    if (type === 'stop_limit') return { price: limit ?? null, source: 'limit once the stop is touched' };
    if (type === 'stop' || type === 'trailing_stop') return { price: stop ?? null, source: 'at market once the stop is touched' };
    const at = (q: Quote) => (side === 'buy' ? q.ask : q.bid);
    if (quote && !quote.simulated) return { price: at(quote), source: `quote:${quote.feed ?? 'feed'}` };
    if (signal !== undefined) return { price: signal, source: 'alert' };
    if (quote) return { price: at(quote), source: 'simulated' };
    return { price: null, source: null };
  }

  /**
   * The position as it will be once the market orders sent for it have filled: an alert that comes
   * while the last one's order is still on its way (a broker fills it moments after its ack) is
   * sized on what that order leaves, so two `positionSize: 2` hold 2, not 4, and two exits sell once.
   */
  private position(accountId: string, key: string, ticker: string): Promise<number> {
    return this.risk.positionOnceFilled(accountId, key, ticker);
  }

  /**
   * The ticker's quote, waiting a moment for the first one when the plan needs it: for a market
   * order, or for a price the alert does not carry. Not when only the simulated feed would answer
   * and the alert carries TradingView's price, which the paper broker takes first anyway.
   */
  private async quoteFor(alert: Alert & { ticker: string }, preview: boolean): Promise<Quote | undefined> {
    const latest = this.market.latest(alert.ticker);
    if (latest) return latest;
    const priced = alert.signalPrice !== undefined || alert.price !== undefined;
    if (priced && !this.market.hasRealFeed(alert.ticker)) return undefined;
    const needed = (alert.orderType ?? 'market') === 'market' || !priced;
    return needed ? this.market.awaitQuote(alert.ticker, preview ? PREVIEW_QUOTE_TIMEOUT_MS : FIRST_QUOTE_TIMEOUT_MS) : undefined;
  }
}
