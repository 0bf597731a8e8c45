/** A futures contract root or a stock/crypto-style symbol, with what one tick is worth. */
export interface Instrument {
  /** Catalog key: the futures root (`NQ`) or, for anything else, the symbol itself (`AAPL`). */
  root: string;
  description: string;
  kind: 'future' | 'equity';
  /** Smallest price increment (`step` in the /ws DATA message). */
  tickSize: number;
  /** Dollars one tick is worth for one contract or unit (`amnt` in the /ws DATA message). */
  tickValue: number;
}

/** Latest top of book for one ticker, as every data-feed plugin reports it. */
export interface Quote {
  /** Canonical ticker (`NQ1!` for the NQ root, `AAPL` for a stock). */
  ticker: string;
  bid: number;
  ask: number;
  /** Milliseconds since the epoch, UTC. */
  time: number;
}

/** `GET /api/market/watchlist`: the tickers always quoted. */
export interface WatchlistView {
  /** The watchlist as the trader keeps it (`PUT` replaces it). */
  tickers: string[];
  /** Default tickers of enabled strategies, quoted with it. */
  strategyTickers: string[];
  /** Everything always quoted: both, without repeats. */
  quoted: string[];
}
