/** Summaries the analytics views show: percentiles, histograms, win rate and expectancy per group. */

/** Nearest-rank percentile (p in 0…100) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export interface HistogramBucket {
  /** Inclusive lower edge; the last bucket also holds everything above its edge. */
  from: number;
  count: number;
}

/**
 * Counts values into buckets starting at each edge (ascending). Values below the first edge land
 * in the first bucket, so nothing is dropped.
 */
export function histogram(values: readonly number[], edges: readonly number[]): HistogramBucket[] {
  const buckets = edges.map((from) => ({ from, count: 0 }));
  if (!buckets.length) return buckets;
  for (const value of values) {
    let i = buckets.length - 1;
    while (i > 0 && value < edges[i]) i--;
    buckets[i].count++;
  }
  return buckets;
}

/** Latency edges in milliseconds: 0, 1, 2, 5, 10, 20, 50 … 60 s. */
export const LATENCY_EDGES_MS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];

/** Whole-tick edges around zero for a slippage distribution (ticks). */
export function tickEdges(values: readonly number[], maxBuckets = 21): number[] {
  if (!values.length) return [0];
  const low = Math.floor(Math.min(...values));
  const high = Math.ceil(Math.max(...values));
  const span = Math.max(1, high - low + 1);
  const step = Math.max(1, Math.ceil(span / maxBuckets));
  const edges: number[] = [];
  for (let edge = low; edge <= high; edge += step) edges.push(edge);
  return edges;
}

export interface GroupStats {
  key: string;
  trades: number;
  wins: number;
  /** wins ÷ trades, four decimals. */
  winRate: number;
  totalCents: number;
  /** Average net P&L per trade, whole cents (rounded half away from zero). */
  expectancyCents: number;
}

/** Win rate and expectancy per group key, keys in the order first seen. */
export function statsByKey(trades: Iterable<{ key: string; pnlCents: number }>): GroupStats[] {
  const groups = new Map<string, GroupStats>();
  for (const t of trades) {
    const g = groups.get(t.key) ?? { key: t.key, trades: 0, wins: 0, winRate: 0, totalCents: 0, expectancyCents: 0 };
    g.trades++;
    if (t.pnlCents > 0) g.wins++;
    g.totalCents += t.pnlCents;
    groups.set(t.key, g);
  }
  for (const g of groups.values()) {
    g.winRate = Math.round((g.wins / g.trades) * 10_000) / 10_000;
    g.expectancyCents = Math.sign(g.totalCents) * Math.round(Math.abs(g.totalCents) / g.trades) + 0;
  }
  return [...groups.values()];
}

/** The hour (0–23) of an instant in a time zone (IANA name). */
export function hourOfDay(time: number, timeZone: string): number {
  const text = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(time));
  return Number(text) % 24;
}

/** TradingView's own time for an alert: the `time` field (`{{timenow}}`, ISO 8601) when it parses; else null. */
export function signalTimeOf(time: string | undefined | null, receivedAt: number): number | null {
  if (typeof time !== 'string' || !time.trim()) return null;
  const trimmed = time.trim();
  const value = /^\d{10,13}$/.test(trimmed) ? Number(trimmed.length === 10 ? `${trimmed}000` : trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(value)) return null;
  // A bar time from long ago, or a clock far ahead, says nothing about delivery: a day either way at most.
  if (Math.abs(receivedAt - value) > 86_400_000) return null;
  return value;
}
