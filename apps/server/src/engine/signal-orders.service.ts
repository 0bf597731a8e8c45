import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service.js';
import { BracketsService } from '../execution/brackets.service.js';
import { OrderRouter } from '../execution/order-router.service.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import type { SignalPlan } from './signal-plan.js';

/**
 * Carries out a pass-through strategy's plan for one alert: cancels the working orders it names,
 * then trades each leg (the recorder and every enabled link) to its target, with the bracket on
 * record before its entry is sent. Client order ids come from the event, so a redelivered event
 * never orders twice.
 */
@Injectable()
export class SignalOrdersService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly router: OrderRouter,
    private readonly brackets: BracketsService,
  ) {}

  /**
   * Whether the plan's cancel finds anything to cancel now: an order working in its tickers or,
   * when it cancels every kind of order, a bracket. Most closing alerts find nothing.
   */
  async anythingToCancel(strategy: Strategy, plan: SignalPlan): Promise<boolean> {
    if (!plan.cancel.working || !plan.cancel.tickers.length) return false;
    const { tickers, orderType } = plan.cancel;
    if (!orderType && (await this.brackets.anyOpenIn(strategy.id))) return true;
    return (await this.router.workingIn(strategy.id, tickers, orderType)).length > 0;
  }

  /** Cancels what the plan says to; a line for the event's log, or null. */
  async cancel(strategy: Strategy, alertLabel: string, plan: SignalPlan): Promise<string | null> {
    if (!plan.cancel.working) return null;
    const { tickers, orderType } = plan.cancel;
    // Cancelling only one kind of order leaves the brackets that will place the other kind.
    if (!orderType) for (const ticker of tickers) await this.brackets.cancelBrackets(strategy.id, ticker);
    const reason = `cancelled by ${alertLabel}`;
    const cancelled = await this.router.cancelWorkingIn(strategy.id, reason, tickers, orderType);
    return cancelled ? `cancelled ${cancelled} working ${orderType ? `${orderType} ` : ''}order(s)` : null;
  }

  /** Trades every leg to its target; one line per leg for the event's log. */
  async trade(strategy: Strategy, eventId: string, plan: SignalPlan): Promise<string[]> {
    const notes: string[] = [];
    for (const leg of plan.legs) {
      const where = leg.linkId ? `${leg.accountName} (${leg.label})` : leg.accountName;
      if (!leg.orders.length) {
        notes.push(`${where}: already at target position ${leg.target} ${leg.ticker}`);
        continue;
      }
      const account = await this.accounts.get(leg.accountId);
      const done: string[] = [];
      for (const planned of leg.orders) {
        const clientOrderId = `${planned.idPrefix}:${planned.part}`;
        if (planned.bracket) await this.brackets.attachBracket(clientOrderId, { strategyId: strategy.id, ...planned.bracket });
        const order = await this.router.submit({
          clientOrderId,
          account,
          strategyId: strategy.id,
          linkId: leg.linkId,
          eventId,
          ticker: leg.ticker,
          side: planned.side,
          quantity: planned.quantity,
          type: planned.type,
          limitPrice: planned.limitPrice,
          stopPrice: planned.stopPrice,
          trailAmount: planned.trailAmount,
          trailPercent: planned.trailPercent,
          timeInForce: planned.timeInForce,
          extendedHours: planned.extendedHours,
          signalPrice: planned.signalPrice,
        });
        done.push(
          `${order.side} ${order.quantity} ${order.ticker} ${order.type}${planned.bracket ? ' with exits' : ''} → ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
        );
      }
      notes.push(`${where}: ${done.join(', ')}; target position ${leg.target}`);
    }
    return notes;
  }
}
