import type { LogData, PnlData, PositionData, StrategyData, StrategyListItem } from '@tradeloop/contracts';

/** How the log line the server writes on accepting an alert begins: that alert is the strategy's last signal. */
export const ACCEPTED_ALERT = 'alert accepted';

/** True when a `LOG` message is a strategy's alert being accepted. */
export function isAcceptedAlert(l: Pick<LogData, 'category' | 'strategyId' | 'message'>): boolean {
  return l.category === 'webhook' && l.strategyId !== null && l.message.startsWith(ACCEPTED_ALERT);
}

/** The live messages the Strategies list follows. */
export type StrategyListMessage =
  | { type: 'PNL'; data: PnlData }
  | { type: 'POSITION'; data: PositionData }
  | { type: 'LOG'; data: LogData }
  | { type: 'STRATEGY'; data: StrategyData };

/**
 * The listing after one live message: P&L pushes move a strategy's numbers, its own positions its
 * position, an accepted alert its last signal, a status change its badge. Anything else (another
 * scope, a link's or a manual position) leaves the list as it was, the same array.
 */
export function withLiveMessage(list: readonly StrategyListItem[], message: StrategyListMessage): readonly StrategyListItem[] {
  const update = (id: string | null, change: (s: StrategyListItem) => StrategyListItem) => {
    const index = list.findIndex((s) => s.id === id);
    if (index < 0) return list;
    const next = [...list];
    next[index] = change(list[index]);
    return next;
  };
  switch (message.type) {
    case 'PNL': {
      const p = message.data;
      if (p.scope !== 'strategy') return list;
      return update(p.id, (s) => ({ ...s, openPnl: p.openPnl, todayPnl: p.todayPnl, totalPnl: p.totalPnl, realizedPnl: p.realizedPnl }));
    }
    case 'POSITION': {
      const p = message.data;
      return update(p.strategyId, (s) => {
        const position = { ...s.position };
        if (p.quantity === 0) delete position[p.ticker];
        else position[p.ticker] = p.quantity;
        return { ...s, position, activePositions: Object.keys(position).length };
      });
    }
    case 'LOG':
      if (!isAcceptedAlert(message.data)) return list;
      return update(message.data.strategyId, (s) => ({ ...s, lastSignalAt: new Date(message.data.time).toISOString() }));
    case 'STRATEGY': {
      const d = message.data;
      return update(d.id, (s) => ({ ...s, name: d.name, status: d.status, statusReason: d.reason, enabled: d.status === 'enabled' }));
    }
  }
}

/** `+2 NQ1!, −1 ES1!`, or `flat`. */
export function positionText(position: Readonly<Record<string, number>>): string {
  const held = Object.entries(position).filter(([, quantity]) => quantity !== 0);
  if (!held.length) return 'flat';
  return held.map(([ticker, quantity]) => `${quantity > 0 ? '+' : '−'}${Math.abs(quantity)} ${ticker}`).join(', ');
}

/** What an alert without a quantity or ticker trades: `1 × NQ1!`, or `1 × the alert's ticker`. */
export function defaultOrderText(s: Pick<StrategyListItem, 'defaultQuantity' | 'defaultTicker'>): string {
  return `${s.defaultQuantity} × ${s.defaultTicker ?? "the alert's ticker"}`;
}
