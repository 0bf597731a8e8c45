import type { BacktestRequest, MarketFill, ScriptParams } from '@tradeloop/contracts';

/** The Backtests page's form as typed. */
export interface BacktestForm {
  strategy: string;
  ticker: string;
  /** A history file's name; empty: `data` is pasted. */
  file: string;
  kind: 'bars' | 'ticks' | 'trades' | 'alerts';
  data: string;
  from: string;
  to: string;
  timeZone: string;
  commission: number | null;
  spread: number | null;
  marketFill: MarketFill;
  label: string;
  params: string;
}

/** The request the form makes; throws, in words, when the form cannot make one. */
export function backtestRequest(form: BacktestForm): BacktestRequest {
  if (!form.ticker.trim()) throw new Error('Ticker: which ticker the history is of, e.g. NQ1!');
  if (!form.file && !form.data.trim()) throw new Error('History: choose a file or paste its contents');
  let params: ScriptParams = {};
  if (form.params.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(form.params);
    } catch {
      throw new Error('Params: not JSON; write them like {"lookback": 20}');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('Params: a JSON object like {"lookback": 20}');
    params = parsed as ScriptParams;
  }
  return {
    strategy: form.strategy,
    ticker: form.ticker.trim(),
    ...(form.file ? { files: { [form.kind]: form.file } } : { [form.kind]: form.data }),
    ...(form.from.trim() ? { from: form.from.trim() } : {}),
    ...(form.to.trim() ? { to: form.to.trim() } : {}),
    ...(form.timeZone.trim() ? { timeZone: form.timeZone.trim() } : {}),
    ...(form.commission ? { commissionPerContract: form.commission } : {}),
    ...(form.spread ? { spreadTicks: form.spread } : {}),
    marketFill: form.marketFill,
    ...(form.label.trim() ? { label: form.label.trim() } : {}),
    params,
  };
}
