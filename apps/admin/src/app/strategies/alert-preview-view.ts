import type { AlertPreview, PreviewOrder } from '@tradeloop/contracts';

/** A previewed alert in words, for the strategy page's "test an alert" box. */
export interface PreviewView {
  verdict: { tone: 'good' | 'bad' | 'warn'; text: string };
  /** The alert's fields as the server read them. */
  fields: { name: string; value: string }[];
  position: string | null;
  quantity: string | null;
  cancels: string | null;
  delay: string | null;
  orders: { leg: string; order: string; price: string; exits: string | null }[];
  notes: string[];
}

const shown = (value: unknown): string => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

const SOURCES: Record<string, string> = { alert: "the alert's price", simulated: 'the simulated feed (demo prices)' };
const sourceText = (source: string) => SOURCES[source] ?? (source.startsWith('quote:') ? `a quote from ${source.slice(6)}` : source);

function priceText(o: PreviewOrder): string {
  const parts: string[] = [];
  if (o.limitPrice !== undefined) parts.push(`limit ${o.limitPrice}`);
  if (o.stopPrice !== undefined) parts.push(`${o.type === 'trailing_stop' ? 'stop starts at' : 'stop'} ${o.stopPrice}`);
  if (o.trailAmount !== undefined) parts.push(`trails ${o.trailAmount}`);
  if (o.trailPercent !== undefined) parts.push(`trails ${o.trailPercent} %`);
  if (o.type === 'market') {
    parts.push(
      o.expectedPrice === null
        ? 'no price yet (no quote and no price in the alert)'
        : `fills near ${o.expectedPrice}, from ${sourceText(o.priceSource ?? '')}`,
    );
  }
  if (o.timeInForce) parts.push(o.timeInForce);
  if (o.extendedHours) parts.push('extended hours');
  return parts.join(' · ');
}

function exitsText(o: PreviewOrder): string | null {
  const b = o.bracket;
  if (!b) return null;
  const parts: string[] = [];
  if (b.takeProfit !== null) parts.push(`take profit ${b.takeProfit}`);
  if (b.stopLoss !== null) {
    const kind = b.stopLossType === 'stop_limit' ? 'stop-limit' : b.stopLossType === 'trailing_stop' ? 'trailing stop' : 'stop';
    parts.push(`${kind} ${b.stopLoss}${b.stopLossLimitPrice !== null ? ` (limit ${b.stopLossLimitPrice})` : ''}`);
  } else if (b.trailingTicks !== null) parts.push('stop set from the fill');
  if (b.trailingTicks !== null) parts.push(`trailing ${b.trailingTicks} ticks`);
  if (b.breakEvenTicks !== null) parts.push(`to break-even after ${b.breakEvenTicks} ticks`);
  return parts.length ? parts.join(' · ') : 'exits set from the fill';
}

export function previewView(p: AlertPreview): PreviewView {
  const verdict: PreviewView['verdict'] =
    p.status === 202
      ? { tone: 'good', text: 'The webhook would accept it (202)' }
      : p.alert
        ? { tone: 'warn', text: `The webhook would answer ${p.status}: ${p.error ?? ''}` }
        : { tone: 'bad', text: `The webhook would refuse it (${p.status}): ${p.error ?? ''}` };
  const position = p.position
    ? p.position.target === null
      ? `${p.position.ticker}: ${p.position.current}, left as it is`
      : `${p.position.ticker}: ${p.position.current} → ${p.position.target}`
    : null;
  return {
    verdict,
    fields: Object.entries(p.alert ?? {}).map(([name, value]) => ({ name, value: shown(value) })),
    position,
    quantity: p.quantity ? `${p.quantity.value} (${p.quantity.how})` : null,
    cancels: p.cancels
      ? `first cancels ${p.cancels.workingNow} working ${p.cancels.orderType ? `${p.cancels.orderType} ` : ''}order(s) in ${p.cancels.tickers.join(', ')}`
      : null,
    delay: p.delaySeconds ? `held ${p.delaySeconds} s before it trades` : null,
    orders: p.orders.map((o) => ({
      leg: o.leg === 'recorder' ? o.account : `${o.account} (${o.leg})`,
      order: `${o.side} ${o.quantity} ${o.ticker} ${o.type.replace('_', ' ')}`,
      price: priceText(o),
      exits: exitsText(o),
    })),
    notes: p.notes,
  };
}

/** A first message to try: the strategy's ticker, a price, and a bracket. */
export function sampleAlert(ticker: string | null): string {
  return JSON.stringify(
    {
      ticker: ticker || 'NQ1!',
      action: 'buy',
      quantity: 1,
      price: 25000,
      takeProfit: { amount: 20 },
      stopLoss: { type: 'stop', amount: 10 },
    },
    null,
    2,
  );
}
