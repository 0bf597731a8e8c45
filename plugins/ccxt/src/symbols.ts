import type { MarketInterface as Market } from 'ccxt';

/**
 * The exchange market of a ticker in any spelling a TradingView alert uses: ccxt's own (`BTC/USDT`,
 * `BTC/USDT:USDT`), the exchange's id (`BINANCE:BTCUSDT` → `BTCUSDT` → `BTC/USDT` spot), or the
 * id with TradingView's perpetual suffix (`BTCUSDT.P` → the linear perpetual `BTC/USDT:USDT`).
 */
export function marketFor(ticker: string, markets: Record<string, Market>): Market | undefined {
  const symbol = ticker.trim().replace(/^[^:/]*:(?=[^/]*$)/, '');
  const direct = markets[symbol] ?? markets[symbol.toUpperCase()];
  if (direct) return direct;
  const upper = symbol.toUpperCase();
  const perpetual = upper.endsWith('.P');
  const id = (perpetual ? upper.slice(0, -2) : upper).replace(/[-_/]/g, '');
  const all = Object.values(markets).filter((m): m is Market => !!m && m.active !== false);
  const named = (m: Market) => (m.id ?? '').toUpperCase().replace(/[-_/]/g, '') === id || `${m.base}${m.quote}`.toUpperCase() === id;
  if (perpetual) return all.find((m) => m.swap && m.linear && named(m) && m.settle === m.quote);
  return all.find((m) => m.spot && named(m));
}

/** The smallest step of a market's price or amount as a number, whatever ccxt's precision mode. */
export function stepOf(precision: number | undefined, mode: number): number | undefined {
  if (precision === undefined || precision === null || !(precision >= 0)) return undefined;
  if (mode === 4) return precision; // TICK_SIZE: the step itself
  if (mode === 2) return 10 ** -precision; // DECIMAL_PLACES
  return undefined; // SIGNIFICANT_DIGITS: no fixed step
}

const decimals = (value: number) => {
  const text = String(value);
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
};

export function onGrid(value: number, step: number): boolean {
  const scale = 10 ** Math.min(12, Math.max(decimals(value), decimals(step)));
  return Math.round(value * scale) % Math.round(step * scale) === 0;
}
