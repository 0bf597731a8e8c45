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
  /** What it is quoted on, shared by its mini and micro contracts (NQ and MNQ: the Nasdaq-100): the same price for both. */
  underlying?: string;
}

/** Latest top of book for one ticker, as every data-feed plugin reports it. */
export interface Quote {
  /** Canonical ticker (`NQ1!` for the NQ root, `AAPL` for a stock). */
  ticker: string;
  bid: number;
  ask: number;
  /** Milliseconds since the epoch, UTC. */
  time: number;
  /** The feed plugin that quoted it (set by the server). */
  feed?: string;
  /** True for demo prices (the simulated feed), never a market's. */
  simulated?: boolean;
  /** True once its feed lost its connection: the last price known, no longer the market's. */
  stale?: boolean;
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
