import type { Quote, TradeData } from '@tradeloop/contracts';
import type { PricePoint } from '@tradeloop/domain';

/** One second of a ticker's quotes: the highest and lowest bid and ask, and when each was first seen. */
interface Bucket {
  second: number;
  hiBid: PricePoint;
  loBid: PricePoint;
  hiAsk: PricePoint;
  loAsk: PricePoint;
}

interface TickerPath {
  buckets: Bucket[];
  /** Quotes are known from here on (the position opened, or the server started). */
  observedFrom: number;
}

/** Six hours of one-second buckets per ticker, at most 500 tickers: a few MB at worst. */
const MAX_BUCKETS = 21_600;
const MAX_TICKERS = 500;

/** What a closed trade's excursions are computed from: the prices it could have been closed at while open. */
export interface TradePath {
  trade: TradeData;
  points: PricePoint[];
  observedFrom: number | null;
}

/**
 * The quotes seen while positions are open, kept per ticker as one-second high/low buckets
 * (bounded memory: old seconds fall off, a ticker is dropped once no position in it is open).
 * Longs are marked at the bid, shorts at the ask, like open P&L. Pure bookkeeping: no I/O.
 */
export class ExcursionTracker {
  private readonly paths = new Map<string, TickerPath>();
  /** Open position keys per ticker. */
  private readonly open = new Map<string, Set<string>>();

  /** A position moved: tickers with an open position are followed. */
  position(key: string, ticker: string, quantity: number, at: number): void {
    const keys = this.open.get(ticker) ?? new Set<string>();
    if (quantity !== 0) keys.add(key);
    else keys.delete(key);
    if (keys.size) {
      this.open.set(ticker, keys);
      if (!this.paths.has(ticker) && this.paths.size < MAX_TICKERS) this.paths.set(ticker, { buckets: [], observedFrom: at });
    } else {
      this.open.delete(ticker);
      this.paths.delete(ticker);
    }
  }

  quote(quote: Quote): void {
    const path = this.paths.get(quote.ticker);
    if (!path || quote.stale) return;
    const second = Math.floor(quote.time / 1000);
    let bucket = path.buckets[path.buckets.length - 1];
    if (!bucket || bucket.second !== second) {
      if (bucket && second < bucket.second) return; // out of order: older than what is held
      const at = { time: quote.time };
      bucket = {
        second,
        hiBid: { ...at, price: quote.bid },
        loBid: { ...at, price: quote.bid },
        hiAsk: { ...at, price: quote.ask },
        loAsk: { ...at, price: quote.ask },
      };
      path.buckets.push(bucket);
      if (path.buckets.length > MAX_BUCKETS) {
        const dropped = path.buckets.splice(0, Math.ceil(MAX_BUCKETS / 10));
        path.observedFrom = (dropped[dropped.length - 1].second + 1) * 1000;
      }
      return;
    }
    if (quote.bid > bucket.hiBid.price) bucket.hiBid = { price: quote.bid, time: quote.time };
    if (quote.bid < bucket.loBid.price) bucket.loBid = { price: quote.bid, time: quote.time };
    if (quote.ask > bucket.hiAsk.price) bucket.hiAsk = { price: quote.ask, time: quote.time };
    if (quote.ask < bucket.loAsk.price) bucket.loAsk = { price: quote.ask, time: quote.time };
  }

  /** The prices a closed trade could have been closed at while it was open, in time order. */
  pathOf(trade: TradeData): TradePath {
    const path = this.paths.get(trade.ticker);
    if (!path) return { trade, points: [], observedFrom: null };
    const long = trade.direction === 'long';
    const points: PricePoint[] = [];
    for (const bucket of path.buckets) {
      if ((bucket.second + 1) * 1000 <= trade.entryTime) continue;
      if (bucket.second * 1000 > trade.exitTime) break;
      const [high, low] = long ? [bucket.hiBid, bucket.loBid] : [bucket.hiAsk, bucket.loAsk];
      for (const point of high.time <= low.time ? [high, low] : [low, high])
        if (point.time >= trade.entryTime && point.time <= trade.exitTime) points.push(point);
    }
    return { trade, points, observedFrom: path.observedFrom };
  }

  get tickers(): number {
    return this.paths.size;
  }
}
