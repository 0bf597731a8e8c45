import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository, type EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LogEntry, type LogLevel } from './log-entry.entity.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogInput {
  level: LogLevel;
  category: string;
  message: string;
  strategyId?: string | null;
  context?: Record<string, unknown>;
}

export interface LogQuery {
  strategyId?: string;
  /** Minimum level: `warn` returns warnings and errors. */
  level?: LogLevel;
  limit: number;
  /** Only entries with a smaller id (paging backwards). */
  beforeId?: number;
}

/** The trader-facing log: every webhook outcome, order, fill and plugin event, stored and printed. */
@Injectable()
export class LogsService {
  private readonly console = new Logger('Tradeloop');

  constructor(
    @InjectRepository(LogEntry) private readonly entries: Repository<LogEntry>,
    private readonly database: DatabaseService,
    private readonly bus: EventBus,
  ) {}

  /** Writes inside the caller's transaction when given one, so the log and the change commit together. */
  async write(input: LogInput, manager?: EntityManager): Promise<void> {
    const entry = this.entries.create({
      time: Date.now(),
      level: input.level,
      category: input.category,
      strategyId: input.strategyId ?? null,
      message: input.message,
      context: input.context ? JSON.stringify(input.context) : null,
    });
    this.print(input);
    const announce = () =>
      this.bus.publish('LOG', {
        id: entry.id ?? null,
        time: entry.time,
        level: entry.level,
        category: entry.category,
        strategyId: entry.strategyId,
        message: entry.message,
      });
    if (manager) {
      await manager.insert(LogEntry, entry);
      // Inside the caller's transaction: announced only if it commits.
      this.database.afterCommit(manager, announce);
    } else {
      await this.database.bookkeeping((m) => m.insert(LogEntry, entry));
      announce();
    }
  }

  async query(query: LogQuery) {
    const rows = await this.entries.find({
      where: {
        ...(query.strategyId ? { strategyId: query.strategyId } : {}),
        ...(query.level ? { level: In(LOG_LEVELS.slice(LOG_LEVELS.indexOf(query.level))) } : {}),
        ...(query.beforeId ? { id: LessThan(query.beforeId) } : {}),
      },
      order: { id: 'DESC' },
      take: query.limit,
    });
    return rows.map((row) => ({
      id: row.id,
      time: new Date(row.time).toISOString(),
      level: row.level,
      category: row.category,
      strategyId: row.strategyId,
      message: row.message,
      context: row.context ? (JSON.parse(row.context) as Record<string, unknown>) : null,
    }));
  }

  private print(input: LogInput): void {
    const line = `[${input.category}] ${input.message}`;
    if (input.level === 'error') this.console.error(line);
    else if (input.level === 'warn') this.console.warn(line);
    else if (input.level === 'debug') this.console.debug(line);
    else this.console.log(line);
  }
}
