import { Injectable } from '@nestjs/common';
import type { AlertPreview, PreviewOrder } from '@tradeloop/contracts';
import { exitsCrossed } from '@tradeloop/domain';
import { OrdersReader } from '../execution/orders.reader.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { SignalPlannerService } from './signal-planner.service.js';

/**
 * What an alert would do to a strategy, worked out by the same code the webhook and the engine run,
 * without storing, queueing, logging or trading anything: a TradingView user tests an alert message
 * here instead of by sending it.
 */
@Injectable()
export class AlertPreviewService {
  constructor(
    private readonly strategies: StrategiesService,
    private readonly webhooks: WebhooksService,
    private readonly planner: SignalPlannerService,
    private readonly orders: OrdersReader,
  ) {}

  async preview(strategyId: string, body: unknown): Promise<AlertPreview> {
    const strategy = await this.strategies.get(strategyId);
    const disabled = !strategy.enabled;
    // A disabled strategy is previewed as if enabled, with the 409 the webhook would answer said up front.
    const checked = this.webhooks.check({ ...strategy, enabled: true }, body);
    if (!checked.ok) return { accepted: false, status: checked.status, error: checked.error, notes: [], orders: [] };
    const alert = checked.alert as typeof checked.alert & { ticker: string };
    const notes = [...checked.notes];
    if (disabled) notes.unshift(`the strategy is disabled: the webhook would answer 409 and trade nothing`);
    const head = {
      accepted: !disabled,
      status: disabled ? 409 : 202,
      ...(disabled ? { error: `strategy "${strategy.name}" is disabled` } : {}),
      alert,
      ...(alert.delay ? { delaySeconds: alert.delay } : {}),
    };
    if (strategy.script) {
      notes.push(`a scripted strategy (${strategy.script}): its script decides what to trade, so no orders are shown`);
      return { ...head, notes, orders: [] };
    }
    const plan = await this.planner.plan(strategy, alert, 'preview', { preview: true });
    if (plan.error) {
      return {
        ...head,
        notes: [...notes, ...plan.notes, `the engine would trade nothing: ${plan.error}`],
        quantity: plan.quantity,
        orders: [],
      };
    }
    const workingNow = plan.cancel.working
      ? await this.orders.countWorking({
          strategyId: strategy.id,
          tickers: plan.cancel.tickers,
          ...(plan.cancel.orderType ? { type: plan.cancel.orderType } : {}),
        })
      : 0;
    const orders: PreviewOrder[] = plan.legs.flatMap((leg) =>
      leg.orders.map((o) => ({
        leg: leg.label,
        account: leg.accountName,
        ticker: leg.ticker,
        side: o.side,
        quantity: o.quantity,
        type: o.type,
        ...(o.limitPrice !== undefined ? { limitPrice: o.limitPrice } : {}),
        ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice } : {}),
        ...(o.trailAmount !== undefined ? { trailAmount: o.trailAmount } : {}),
        ...(o.trailPercent !== undefined ? { trailPercent: o.trailPercent } : {}),
        ...(o.timeInForce ? { timeInForce: o.timeInForce } : {}),
        ...(o.extendedHours ? { extendedHours: true } : {}),
        expectedPrice: o.expected.price,
        priceSource: o.expected.source,
        bracket: o.bracket
          ? {
              takeProfit: o.expected.takeProfit,
              stopLoss: o.expected.stopLoss,
              stopLossType:
                o.bracket.stopLossType ??
                (o.bracket.trailingTicks !== undefined && alert.stopLossType === 'trailing_stop' ? 'trailing_stop' : 'stop'),
              stopLossLimitPrice: o.bracket.stopLossType === 'stop_limit' ? (o.bracket.stopLossLimitPrice ?? o.expected.stopLoss) : null,
              trailingTicks: o.bracket.trailingTicks ?? null,
              breakEvenTicks: o.bracket.breakEvenTicks ?? null,
            }
          : null,
      })),
    );
    // The bracket would place the stop alone (see BracketsService): said here, before it is sent.
    const crossings = orders.flatMap((o) => {
      const exits = o.bracket;
      if (!exits || exits.takeProfit == null || exits.stopLoss == null) return [];
      const closing = o.side === 'buy' ? 'sell' : 'buy';
      if (!exitsCrossed(closing, exits.takeProfit, exits.stopLoss)) return [];
      return [
        `${o.leg}: the take profit @ ${exits.takeProfit} is at or ${closing === 'sell' ? 'below' : 'above'} the stop loss @ ${exits.stopLoss}, so both would fill: only the stop loss would be placed`,
      ];
    });
    return {
      ...head,
      notes: [...notes, ...plan.notes, ...crossings],
      quantity: plan.quantity,
      position: { ticker: alert.ticker, current: plan.current, target: plan.target },
      cancels: plan.cancel.working
        ? { tickers: plan.cancel.tickers, ...(plan.cancel.orderType ? { orderType: plan.cancel.orderType } : {}), workingNow }
        : null,
      orders,
    };
  }
}
