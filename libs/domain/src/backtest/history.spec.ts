import { describe, expect, it } from '@jest/globals';
import { HistoryError, parseInstant } from './csv.js';
import { parseAlerts, parseBars, parseTicks, parseTradingViewTrades } from './history.js';
import { barInterval, barQuotes } from './replay.js';

describe('parseBars', () => {
  it("reads TradingView's chart export with unix seconds", () => {
    const bars = parseBars('time,open,high,low,close,Volume\n1704205800,100,101,99.5,100.5,12\n1704205860,100.5,102,100.25,101.75,3\n');
    expect(bars).toEqual([
      { time: 1704205800000, open: 100, high: 101, low: 99.5, close: 100.5, volume: 12 },
      { time: 1704205860000, open: 100.5, high: 102, low: 100.25, close: 101.75, volume: 3 },
    ]);
  });

  it('reads ISO times and the vendor layout Date,Time,… in the zone given', () => {
    expect(parseBars('time,open,high,low,close\n2024-01-02T14:30:00Z,1,2,1,2\n')[0].time).toBe(Date.UTC(2024, 0, 2, 14, 30));
    // 09:30 in New York on 2 January is 14:30 UTC (EST, UTC−5); US and compact dates too.
    const vendor = 'Date,Time,Open,High,Low,Close,Volume\r\n01/02/2024,09:30,1,2,1,2,5\r\n20240102,0931,2,2,1,1,5\r\n';
    expect(parseBars(vendor, 'America/New_York').map((b) => b.time)).toEqual([Date.UTC(2024, 0, 2, 14, 30), Date.UTC(2024, 0, 2, 14, 31)]);
  });

  it('refuses a bad row naming its line', () => {
    const head = 'time,open,high,low,close,Volume\n1704205800,100,101,99.5,100.5,1\n';
    const error = (text: string) => {
      try {
        parseBars(text);
      } catch (e) {
        expect(e).toBeInstanceOf(HistoryError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(error(`${head}1704205860,100.5,abc,100,101,1\n`)).toBe('bars: line 3: high "abc" is not a number');
    expect(error(`${head}1704205860,100.5,100,101,100.5,1\n`)).toBe(
      'bars: line 3: high 100 and low 101 do not contain open 100.5 and close 100.5',
    );
    expect(error(`${head}1704205740,100,101,99.5,100.5,1\n`)).toBe('bars: line 3: time goes backwards (rows must be oldest first)');
    expect(error(`${head}\n2024-13-01,1,1,1,1,1\n`)).toBe(
      'bars: line 4: time "2024-13-01" is not a time (unix seconds, ISO 8601, or a date and a time)',
    );
    expect(error('time,open,high,low\n1,1,1,1\n')).toBe('bars: line 1: no close column');
    expect(error('')).toBe('bars: the file is empty (expected a header line)');
    expect(error(`${head}1704205860,"100,1,1,1,1\n`)).toBe('bars: line 3: a quoted field is not closed');
    expect(() => parseBars(head, 'Mars/Base')).toThrow('timeZone "Mars/Base" is not a known time zone');
  });
});

describe('parseTicks', () => {
  it('reads time,bid,ask[,last,size] and refuses a crossed quote by line', () => {
    expect(parseTicks('time,bid,ask,last,size\n2024-01-02T14:30:00.250Z,100,100.25,100.25,2\n')).toEqual([
      { time: Date.UTC(2024, 0, 2, 14, 30, 0, 250), bid: 100, ask: 100.25, last: 100.25, size: 2 },
    ]);
    expect(() => parseTicks('time,bid,ask\n1704205800,100,100.25\n1704205801,101,100\n')).toThrow(
      'ticks: line 3: ask 100 is below bid 101',
    );
    expect(() => parseTicks('time,price\n1,1\n')).toThrow('ticks: line 1: expected columns time,bid,ask[,last,size]');
  });
});

describe('parseInstant', () => {
  it('takes an offset in the text over the zone', () => {
    expect(parseInstant('2024-07-01 09:30:00-04:00', undefined, 'UTC')).toBe(Date.UTC(2024, 6, 1, 13, 30));
    expect(parseInstant('2024-07-01 09:30', undefined, 'America/New_York')).toBe(Date.UTC(2024, 6, 1, 13, 30));
    expect(parseInstant('1704205800000', undefined, 'UTC')).toBe(1704205800000);
    expect(parseInstant('2024-02-30', undefined, 'UTC')).toBeNull();
  });
});

const LIST_OF_TRADES = [
  'Trade #,Type,Signal,Date/Time,Price USD,Contracts,Profit USD,Profit %,Cumulative profit USD,Cumulative profit %,Run-up USD,Run-up %,Drawdown USD,Drawdown %',
  '2,Exit Short,Close,2024-01-03 10:15,16810.5,1,190,0.06,1210,0.12,200,0.06,-50,-0.01',
  '2,Entry Short,Short,2024-01-03 09:45,16820,1,190,0.06,1210,0.12,200,0.06,-50,-0.01',
  '1,Exit Long,Long Exit,2024-01-02 11:00,16850.25,2,1020,0.15,1020,0.10,1100,0.16,-300,-0.04',
  '1,Entry Long,Long,2024-01-02 09:30,16824.75,2,1020,0.15,1020,0.10,1100,0.16,-300,-0.04',
].join('\n');

describe('parseTradingViewTrades', () => {
  it('turns the list (newest first) into alerts oldest first, in the chart zone', () => {
    const alerts = parseTradingViewTrades(LIST_OF_TRADES, 'NQ1!', 'America/New_York');
    expect(alerts.map((a) => [a.time, a.alert['action'], a.alert['quantity'], a.alert['price'], a.source])).toEqual([
      [Date.UTC(2024, 0, 2, 14, 30), 'buy', 2, 16824.75, 'line 5'],
      [Date.UTC(2024, 0, 2, 16, 0), 'exit', 2, 16850.25, 'line 4'],
      [Date.UTC(2024, 0, 3, 14, 45), 'sell', 1, 16820, 'line 3'],
      [Date.UTC(2024, 0, 3, 15, 15), 'exit', 1, 16810.5, 'line 2'],
    ]);
    expect(alerts[0].alert['sentiment']).toBe('long');
    expect(alerts[2].alert['comment']).toBe('TradingView trade 2 Short');
  });

  it('refuses an unknown Type by line', () => {
    expect(() => parseTradingViewTrades(LIST_OF_TRADES.replace('Entry Short', 'Short Entry'), 'NQ1!')).toThrow(
      'list of trades: line 3: Type "Short Entry" is not Entry Long, Exit Long, Entry Short or Exit Short',
    );
  });
});

describe('parseAlerts', () => {
  it('reads { time, alert } items and names a bad one', () => {
    expect(parseAlerts('[{"time":"2024-01-02T14:30:00Z","alert":{"action":"buy"}}]')).toEqual([
      { time: Date.UTC(2024, 0, 2, 14, 30), alert: { action: 'buy' }, source: 'item 1' },
    ]);
    expect(() => parseAlerts('[{"time":1,"alert":{}},{"time":"x","alert":{}}]')).toThrow(
      'alerts: item 2: time must be epoch ms or an ISO time',
    );
  });
});

describe('barQuotes', () => {
  it('goes to the extreme nearer the open first, spread over the bar', () => {
    const t = Date.UTC(2024, 0, 2, 14, 30);
    // Open 100 is 0.5 from the low and 1 from the high: open → low → high → close.
    const up = barQuotes({ time: t, open: 100, high: 101, low: 99.5, close: 100.5, volume: 0 }, 60_000, 0.25, 1);
    expect(up.map((q) => [q.time - t, q.bid, q.ask, q.path, q.close])).toEqual([
      [0, 100, 100.25, false, false],
      [20_000, 99.5, 99.75, true, false],
      [40_000, 101, 101.25, true, false],
      [59_999, 100.5, 100.75, true, true],
    ]);
    // Open nearer the high: open → high → low → close.
    const down = barQuotes({ time: t, open: 101.75, high: 102.5, low: 99, close: 99.25, volume: 0 }, 60_000, 0.25, 0);
    expect(down.map((q) => q.bid)).toEqual([101.75, 102.5, 99, 99.25]);
  });

  it('takes the most common gap as the interval', () => {
    const bar = (m: number) => ({ time: m * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 0 });
    expect(barInterval([bar(0), bar(1), bar(2), bar(100), bar(101)])).toBe(60_000);
  });
});
