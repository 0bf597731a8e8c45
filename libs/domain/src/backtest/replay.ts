import { onGrid } from '../instruments.js';
import type { Bar, Tick } from './history.js';

/**
 * A quote of a replay. `path`: the price moved continuously from the previous quote to this one
 * (inside one bar), so a resting order whose price lies between them was touched on the way and
 * fills at its own price; without it (a bar's open, a tick) the market jumped, and a touched
 * order fills at this quote.
 */
export interface ReplayQuote {
  time: number;
  bid: number;
  ask: number;
  path: boolean;
  /** The last quote of its bar (a tick: always). */
  close: boolean;
}

/**
 * The interval of bars: the most common gap between consecutive bars (a gap over a weekend or a
 * missing bar does not count), at least one second; one minute when there is one bar.
 */
export function barInterval(bars: readonly Bar[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < bars.length && i < 5000; i++) {
    const gap = bars[i].time - bars[i - 1].time;
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 60_000;
  let most = 0;
  for (const [gap, n] of counts) if (n > most || (n === most && gap < best)) [best, most] = [gap, n];
  return Math.max(1000, best);
}

/**
 * The four quotes a bar is replayed as, the rule TradingView's broker emulator uses: open, then
 * the extreme nearer the open, then the other, then close (open nearer the high: open → high → low
 * → close; nearer the low: open → low → high → close); when the open is equally far from both, a
 * bar that closed down or flat goes high first, one that closed up low first. Times
 * spread over the bar: open at its start, the extremes at a third and two thirds, close one
 * millisecond before the next bar. Bid at the price, ask `spreadTicks` above, on the grid.
 */
export function barQuotes(bar: Bar, intervalMs: number, tickSize: number, spreadTicks: number, out: ReplayQuote[] = []): ReplayQuote[] {
  const highFirst = bar.high - bar.open < bar.open - bar.low || (bar.high - bar.open === bar.open - bar.low && bar.close <= bar.open);
  const [first, second] = highFirst ? [bar.high, bar.low] : [bar.low, bar.high];
  const third = Math.floor(intervalMs / 3);
  const spread = spreadTicks * tickSize;
  const push = (price: number, time: number, path: boolean, close: boolean) => {
    const bid = onGrid(price, tickSize);
    out.push({ time, bid, ask: spread ? onGrid(bid + spread, tickSize) : bid, path, close });
  };
  push(bar.open, bar.time, false, false);
  push(first, bar.time + third, true, false);
  push(second, bar.time + 2 * third, true, false);
  push(bar.close, bar.time + intervalMs - 1, true, true);
  return out;
}

export function tickQuote(tick: Tick): ReplayQuote {
  return { time: tick.time, bid: tick.bid, ask: tick.ask, path: false, close: true };
}
