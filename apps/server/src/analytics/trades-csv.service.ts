import { Injectable } from '@nestjs/common';
import { TRADE_CSV_COLUMNS } from '@tradeloop/contracts';
import { toDollars } from '@tradeloop/domain';
import { AnalyticsQueryService, type AnalyticsFilter } from './analytics-query.service.js';
import { AnalyticsSql, maybeNum, num } from './analytics-sql.js';

/** At most this many trades in one export (the newest); narrow the range for more. */
export const MAX_CSV_TRADES = 100_000;
const CHUNK = 1_000;

/** One CSV cell: quoted when it must be; text that a spreadsheet would run as a formula is defused with a leading `'`. */
export function csvCell(value: unknown, text = false): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(num(ms)).toISOString());

/** Every field of every trade in a scope, its excursions and its journal entry, as CSV (newest exit first). */
@Injectable()
export class TradesCsvService {
  constructor(
    private readonly sql: AnalyticsSql,
    private readonly queries: AnalyticsQueryService,
  ) {}

  async *lines(filter: AnalyticsFilter): AsyncGenerator<string> {
    yield `${TRADE_CSV_COLUMNS.join(',')}\r\n`;
    const { clause, params } = this.queries.tradeScope(filter);
    for (let offset = 0; offset < MAX_CSV_TRADES; offset += CHUNK) {
      const rows = await this.sql.query(
        `SELECT t.*, x."mfeTicks", x."mfeCents", x."mfeTime", x."maeTicks", x."maeCents", x."maeTime", x."stopPrice", x."riskCents", ` +
          `x."rMultiple", x."observedFrom", j."note" FROM "trades" t LEFT JOIN "trade_excursions" x ON x."tradeId" = t."id" ` +
          `LEFT JOIN "journal_entries" j ON j."tradeId" = t."id" WHERE ${clause} ORDER BY t."exitTime" DESC, t."id" LIMIT ? OFFSET ?`,
        [...params, CHUNK, offset],
      );
      if (!rows.length) return;
      const tags = await this.queries.tagsOf(rows.map((r) => String(r.id)));
      yield rows.map((r) => this.line(r, tags.get(String(r.id)) ?? [])).join('');
      if (rows.length < CHUNK) return;
    }
  }

  private line(r: Record<string, unknown>, tags: string[]): string {
    const excursion = r.mfeCents !== null && r.mfeCents !== undefined;
    const observedFrom = maybeNum(r.observedFrom);
    const risk = maybeNum(r.riskCents);
    const values: Record<(typeof TRADE_CSV_COLUMNS)[number], [unknown, boolean?]> = {
      id: [r.id],
      accountId: [r.accountId],
      strategyId: [r.strategyId === '' ? null : r.strategyId],
      ticker: [r.ticker, true],
      direction: [r.direction],
      quantity: [num(r.quantity)],
      entryPrice: [num(r.entryPrice)],
      exitPrice: [num(r.exitPrice)],
      entryTime: [iso(r.entryTime)],
      exitTime: [iso(r.exitTime)],
      holdingSeconds: [(num(r.exitTime) - num(r.entryTime)) / 1000],
      grossPnl: [toDollars(num(r.grossCents)).toFixed(2)],
      commission: [toDollars(num(r.commissionCents)).toFixed(2)],
      pnl: [toDollars(num(r.pnlCents)).toFixed(2)],
      entryPriceSource: [r.entryPriceSource, true],
      exitPriceSource: [r.exitPriceSource, true],
      mfeTicks: [excursion ? num(r.mfeTicks) : null],
      mfe: [excursion ? toDollars(num(r.mfeCents)).toFixed(2) : null],
      mfeTime: [excursion ? iso(r.mfeTime) : null],
      maeTicks: [excursion ? num(r.maeTicks) : null],
      mae: [excursion ? toDollars(num(r.maeCents)).toFixed(2) : null],
      maeTime: [excursion ? iso(r.maeTime) : null],
      stopPrice: [maybeNum(r.stopPrice)],
      risk: [risk === null ? null : toDollars(risk).toFixed(2)],
      rMultiple: [maybeNum(r.rMultiple)],
      excursionComplete: [excursion ? observedFrom !== null && observedFrom <= num(r.entryTime) : null],
      tags: [tags.join(';'), true],
      note: [r.note ?? null, true],
    };
    return `${TRADE_CSV_COLUMNS.map((c) => csvCell(values[c][0], values[c][1] === true)).join(',')}\r\n`;
  }
}
