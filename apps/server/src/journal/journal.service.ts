import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import type { JournalEntryInput, JournalEntryView, JournalTagView } from '@tradeloop/contracts';
import { DatabaseService } from '../database/database.service.js';
import { num, Statements, type SqlValue } from '../database/statements.js';
import { JournalEntry, JournalTag } from './journal-entry.entity.js';
import { normalizeTag, normalizeTags, noteProblem } from './journal-tags.js';

const DAY = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MAX_LISTED = 1_000;

type Target = { tradeId: string; day: null } | { tradeId: null; day: string };

const keyOf = (t: Target) => (t.tradeId !== null ? `trade:${t.tradeId}` : `day:${t.day}`);

/** Tags and notes on trades and trading days. An entry left with no tags and no note is removed. */
@Injectable()
export class JournalService {
  constructor(
    private readonly database: DatabaseService,
    private readonly statements: Statements,
  ) {}

  async trade(tradeId: string): Promise<JournalEntryView> {
    await this.requireTrade(tradeId);
    return this.read({ tradeId, day: null });
  }

  day(day: string): Promise<JournalEntryView> {
    return this.read({ tradeId: null, day: this.requireDay(day) });
  }

  async putTrade(tradeId: string, input: unknown): Promise<JournalEntryView> {
    await this.requireTrade(tradeId);
    return this.write({ tradeId, day: null }, input);
  }

  putDay(day: string, input: unknown): Promise<JournalEntryView> {
    return this.write({ tradeId: null, day: this.requireDay(day) }, input);
  }

  /** Entries, newest change first, at most 1,000: with a tag, only those carrying it; `from`/`to` bound a day's date. */
  async list(filter: { tag?: string; from?: string; to?: string }): Promise<JournalEntryView[]> {
    const parts = ['1 = 1'];
    const params: SqlValue[] = [];
    if (filter.tag) {
      const tag = normalizeTag(filter.tag);
      if (typeof tag !== 'string') throw new BadRequestException(tag.problem);
      parts.push(`e."entryKey" IN (SELECT "entryKey" FROM "journal_tags" WHERE "tag" = ?)`);
      params.push(tag);
    }
    if (filter.from) {
      parts.push(`(e."day" IS NULL OR e."day" >= ?)`);
      params.push(this.requireDay(filter.from, 'from'));
    }
    if (filter.to) {
      parts.push(`(e."day" IS NULL OR e."day" <= ?)`);
      params.push(this.requireDay(filter.to, 'to'));
    }
    const rows = await this.statements.all<JournalEntry>(
      undefined,
      `SELECT * FROM "journal_entries" e WHERE ${parts.join(' AND ')} ORDER BY e."updatedAt" DESC, e."entryKey" LIMIT ${MAX_LISTED}`,
      params,
    );
    return rows.map((r) => view(r));
  }

  async tags(): Promise<JournalTagView[]> {
    const rows = await this.statements.all<{ tag: string; n: unknown }>(
      undefined,
      `SELECT "tag", COUNT(*) AS "n" FROM "journal_tags" GROUP BY "tag" ORDER BY "tag" LIMIT ${MAX_LISTED}`,
    );
    return rows.map((r) => ({ tag: r.tag, entries: num(r.n) }));
  }

  private async read(target: Target): Promise<JournalEntryView> {
    const row = await this.database.dataSource.manager.findOneBy(JournalEntry, { entryKey: keyOf(target) });
    return row ? view(row) : { ...target, tags: [], note: '', updatedAt: null };
  }

  private async write(target: Target, input: unknown): Promise<JournalEntryView> {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new BadRequestException('the body must be a JSON object like {"tags": ["breakout"], "note": "…"}');
    const body = input as JournalEntryInput & Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => k !== 'tags' && k !== 'note');
    if (unknown.length)
      throw new BadRequestException(`unknown field(s): ${unknown.slice(0, 5).join(', ').slice(0, 200)}; give tags and/or note`);
    let tags: string[] | undefined;
    if (body.tags !== undefined) {
      const normalized = normalizeTags(body.tags);
      if (!Array.isArray(normalized)) throw new BadRequestException(normalized.problem);
      tags = normalized;
    }
    if (body.note !== undefined) {
      const problem = noteProblem(body.note);
      if (problem) throw new BadRequestException(problem);
    }
    const entryKey = keyOf(target);
    return this.database.transaction(async (m) => {
      const existing = await m.findOneBy(JournalEntry, { entryKey });
      const next: JournalEntry = {
        entryKey,
        tradeId: target.tradeId,
        day: target.day,
        note: body.note ?? existing?.note ?? '',
        tags: JSON.stringify(tags ?? (existing ? (JSON.parse(existing.tags) as string[]) : [])),
        updatedAt: Date.now(),
      };
      const nextTags = JSON.parse(next.tags) as string[];
      await m.delete(JournalTag, { entryKey });
      if (!nextTags.length && !next.note.trim()) {
        await m.delete(JournalEntry, { entryKey });
        return { ...target, tags: [], note: '', updatedAt: null };
      }
      await m.save(JournalEntry, next);
      if (nextTags.length)
        await m.insert(
          JournalTag,
          nextTags.map((tag) => ({ entryKey, tag, tradeId: target.tradeId, day: target.day })),
        );
      return view(next);
    });
  }

  private async requireTrade(tradeId: string): Promise<void> {
    const row = await this.statements.get(undefined, `SELECT 1 AS "x" FROM "trades" WHERE "id" = ?`, [tradeId]);
    if (!row) throw new NotFoundException(`trade ${tradeId} not found`);
  }

  private requireDay(day: string, field = 'date'): string {
    const match = DAY.exec(day);
    if (!match || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day)
      throw new BadRequestException(`${field} must be a calendar date YYYY-MM-DD, got "${String(day).slice(0, 20)}"`);
    return day;
  }
}

function view(r: JournalEntry): JournalEntryView {
  return {
    tradeId: r.tradeId ?? null,
    day: r.day ?? null,
    tags: JSON.parse(r.tags) as string[],
    note: r.note,
    updatedAt: new Date(num(r.updatedAt)).toISOString(),
  };
}
