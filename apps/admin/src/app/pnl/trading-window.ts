import { parseDayStart, tradingDate, tradingDayEnd, tradingDayStart, type TradingDay } from '@tradeloop/domain';

/** The trading zone and day start the server counts days in (from the P&L summary). */
export interface TradingClock {
  timeZone: string;
  /** `HH:MM`. */
  dayStart: string;
}

const day = (clock: TradingClock): TradingDay => ({ timeZone: clock.timeZone, dayStartMinutes: parseDayStart(clock.dayStart) });

/**
 * The instants `[from, to)` of trading day `date`: with `18:00` in New York, `2026-11-03` runs from
 * Nov 2 18:00 to Nov 3 18:00 local time; across a DST change a day is 23 or 25 hours.
 */
export function tradingDayWindow(date: string, clock: TradingClock): { from: number; to: number } {
  const d = day(clock);
  return { from: tradingDayStart(date, d), to: tradingDayEnd(date, d) };
}

/** The trading date an instant counts toward. */
export function tradingDateOf(instant: number, clock: TradingClock): string {
  return tradingDate(instant, day(clock));
}

/**
 * The query of the trades closed on trading day `date`: the API's `to` is inclusive, so it ends a
 * millisecond before the next day begins.
 */
export function dayTradesQuery(date: string, clock: TradingClock): { from: string; to: string } {
  const { from, to } = tradingDayWindow(date, clock);
  return { from: new Date(from).toISOString(), to: new Date(to - 1).toISOString() };
}
