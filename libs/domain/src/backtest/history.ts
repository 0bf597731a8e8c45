import { checkZone, column, HistoryError, instantCell, numberCell, readCsv, scanCsv, timeColumns, type CsvRow } from './csv.js';

/** One OHLCV bar; `time` is its open, epoch ms. */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One quote from a tick file, epoch ms. */
export interface Tick {
  time: number;
  bid: number;
  ask: number;
  last?: number;
  size?: number;
}

/** An alert at a time: the body TradingView would have sent (parsed at replay by the webhook rules). */
export interface TimedAlert {
  time: number;
  alert: Record<string, unknown>;
  /** Where it came from, for errors: `line 12`. */
  source: string;
}

const ascending = <T extends { time: number }>(items: T[], rows: CsvRow[], what: string): T[] => {
  for (let i = 1; i < items.length; i++) {
    if (items[i].time < items[i - 1].time) {
      throw new HistoryError(`${what}: line ${rows[i].line}: time goes backwards (rows must be oldest first)`);
    }
  }
  return items;
};

/**
 * OHLCV bars: TradingView's chart export (`time,open,high,low,close,Volume`, unix seconds or ISO
 * times) or the vendor layout `Date,Time,Open,High,Low,Close,Volume` (times without an offset are
 * in `timeZone`). Oldest first; high must be the highest and low the lowest of the four prices.
 */
export function parseBars(text: string, timeZone = 'UTC'): Bar[] {
  const what = 'bars';
  checkZone(timeZone);
  const bars: Bar[] = [];
  let date = -1;
  let time = -1;
  const at = { open: -1, high: -1, low: -1, close: -1, volume: -1 };
  const header = (names: string[]) => {
    const table = { header: names };
    ({ date, time } = timeColumns(table, 'time', 'date', 'datetime', 'timestamp', 'date/time'));
    at.open = column(table, 'open', 'o');
    at.high = column(table, 'high', 'h');
    at.low = column(table, 'low', 'l');
    at.close = column(table, 'close', 'c', 'last');
    at.volume = column(table, 'volume', 'vol', 'v');
    if (date < 0) throw new HistoryError(`${what}: line 1: no time column (expected time, or Date and Time)`);
    for (const [name, index] of Object.entries(at)) {
      if (index < 0 && name !== 'volume') throw new HistoryError(`${what}: line 1: no ${name} column`);
    }
  };
  // Row by row, never keeping the cells: a year of one-minute bars is hundreds of thousands of them.
  scanCsv(text, what, header, (row) => {
    const bar: Bar = {
      time: instantCell(row, date, time, timeZone, what),
      open: numberCell(row, at.open, 'open', what)!,
      high: numberCell(row, at.high, 'high', what)!,
      low: numberCell(row, at.low, 'low', what)!,
      close: numberCell(row, at.close, 'close', what)!,
      volume: at.volume >= 0 ? (numberCell(row, at.volume, 'volume', what, true) ?? 0) : 0,
    };
    if (!(bar.open > 0 && bar.high > 0 && bar.low > 0 && bar.close > 0))
      throw new HistoryError(`${what}: line ${row.line}: prices must be above 0`);
    if (bar.high < Math.max(bar.open, bar.close, bar.low) || bar.low > Math.min(bar.open, bar.close)) {
      throw new HistoryError(
        `${what}: line ${row.line}: high ${bar.high} and low ${bar.low} do not contain open ${bar.open} and close ${bar.close}`,
      );
    }
    if (bars.length && bar.time < bars[bars.length - 1].time) {
      throw new HistoryError(`${what}: line ${row.line}: time goes backwards (rows must be oldest first)`);
    }
    bars.push(bar);
  });
  return bars;
}

/** Quotes: `time,bid,ask[,last,size]`, oldest first; an ask below the bid is refused. */
export function parseTicks(text: string, timeZone = 'UTC'): Tick[] {
  const what = 'ticks';
  checkZone(timeZone);
  const table = readCsv(text, what);
  const { date, time } = timeColumns(table, 'time', 'timestamp', 'date/time', 'datetime', 'date');
  const bid = column(table, 'bid');
  const ask = column(table, 'ask');
  const last = column(table, 'last', 'price');
  const size = column(table, 'size', 'volume');
  if (date < 0 || bid < 0 || ask < 0) throw new HistoryError(`${what}: line 1: expected columns time,bid,ask[,last,size]`);
  const ticks = table.rows.map((row): Tick => {
    const tick: Tick = {
      time: instantCell(row, date, time, timeZone, what),
      bid: numberCell(row, bid, 'bid', what)!,
      ask: numberCell(row, ask, 'ask', what)!,
    };
    const l = last >= 0 ? numberCell(row, last, 'last', what, true) : undefined;
    const s = size >= 0 ? numberCell(row, size, 'size', what, true) : undefined;
    if (l !== undefined) tick.last = l;
    if (s !== undefined) tick.size = s;
    if (!(tick.bid > 0 && tick.ask > 0)) throw new HistoryError(`${what}: line ${row.line}: bid and ask must be above 0`);
    if (tick.ask < tick.bid) throw new HistoryError(`${what}: line ${row.line}: ask ${tick.ask} is below bid ${tick.bid}`);
    return tick;
  });
  return ascending(ticks, table.rows, what);
}

const TV_TYPES: Record<string, { entry: boolean; side: 'long' | 'short' }> = {
  'entry long': { entry: true, side: 'long' },
  'exit long': { entry: false, side: 'long' },
  'entry short': { entry: true, side: 'short' },
  'exit short': { entry: false, side: 'short' },
};

/**
 * TradingView's strategy tester "List of trades" export (`Trade #,Type,Signal,Date/Time,Price
 * USD,Contracts,Profit USD,…`, newest trade first) as alerts, oldest first: `Entry Long` → buy,
 * `Entry Short` → sell, `Exit …` → exit of that many contracts; each carries the trade's price, so
 * with no quotes a paper fill takes it (as the paper broker fills at an alert's price). At one
 * instant exits go before entries, so a reversal closes and then opens.
 */
export function parseTradingViewTrades(text: string, ticker: string, timeZone = 'UTC'): TimedAlert[] {
  const what = 'list of trades';
  checkZone(timeZone);
  const table = readCsv(text, what);
  const trade = column(table, 'trade #', 'trade');
  const type = column(table, 'type');
  const date = column(table, 'date/time', 'date', 'time');
  const price = table.header.findIndex((h) => h === 'price' || h.startsWith('price '));
  const contracts = column(table, 'contracts', 'quantity', 'qty', 'size');
  const signal = column(table, 'signal');
  if (trade < 0 || type < 0 || date < 0 || price < 0 || contracts < 0) {
    throw new HistoryError(`${what}: line 1: expected the columns Trade #, Type, Date/Time, Price and Contracts`);
  }
  const alerts = table.rows.map((row) => {
    const kind = TV_TYPES[(row.cells[type] ?? '').trim().toLowerCase()];
    if (!kind) {
      throw new HistoryError(
        `${what}: line ${row.line}: Type ${JSON.stringify((row.cells[type] ?? '').slice(0, 40))} is not Entry Long, Exit Long, Entry Short or Exit Short`,
      );
    }
    const number = numberCell(row, trade, 'Trade #', what)!;
    const quantity = numberCell(row, contracts, 'Contracts', what)!;
    const at = numberCell(row, price, 'Price', what)!;
    if (!(quantity > 0)) throw new HistoryError(`${what}: line ${row.line}: Contracts must be above 0`);
    if (!(at > 0)) throw new HistoryError(`${what}: line ${row.line}: Price must be above 0`);
    const alert: Record<string, unknown> = {
      ticker,
      action: kind.entry ? (kind.side === 'long' ? 'buy' : 'sell') : 'exit',
      quantity,
      price: at,
      // An entry adds to its side only; an exit closes its side's contracts and must not reverse.
      sentiment: kind.entry ? kind.side : undefined,
      cancel: false,
      comment: `TradingView trade ${number}${signal >= 0 && row.cells[signal] ? ` ${row.cells[signal].slice(0, 60)}` : ''}`,
    };
    if (alert['sentiment'] === undefined) delete alert['sentiment'];
    return { time: instantCell(row, date, -1, timeZone, what), alert, source: `line ${row.line}`, exit: !kind.entry, number };
  });
  alerts.sort((a, b) => a.time - b.time || Number(b.exit) - Number(a.exit) || a.number - b.number);
  return alerts.map(({ time, alert, source }) => ({ time, alert, source }));
}

/** The most alerts one file may hold. */
export const MAX_ALERTS = 200_000;

/**
 * Alerts as a recording keeps them: a JSON array of `{ time, alert }` (time in epoch ms or ISO),
 * oldest first.
 */
export function parseAlerts(text: string): TimedAlert[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HistoryError(`alerts: not JSON (${(error as Error).message.slice(0, 100)})`);
  }
  if (!Array.isArray(raw)) throw new HistoryError('alerts: expected a JSON array of { time, alert }');
  if (raw.length > MAX_ALERTS) throw new HistoryError(`alerts: more than ${MAX_ALERTS}`);
  const out = raw.map((item: unknown, i): TimedAlert => {
    const entry = item as { time?: unknown; alert?: unknown } | null;
    const time = typeof entry?.time === 'string' ? Date.parse(entry.time) : entry?.time;
    if (typeof time !== 'number' || !Number.isFinite(time))
      throw new HistoryError(`alerts: item ${i + 1}: time must be epoch ms or an ISO time`);
    if (typeof entry?.alert !== 'object' || entry.alert === null || Array.isArray(entry.alert)) {
      throw new HistoryError(`alerts: item ${i + 1}: alert must be a JSON object`);
    }
    return { time, alert: entry.alert as Record<string, unknown>, source: `item ${i + 1}` };
  });
  for (let i = 1; i < out.length; i++) {
    if (out[i].time < out[i - 1].time) throw new HistoryError(`alerts: item ${i + 1}: time goes backwards (oldest first)`);
  }
  return out;
}
