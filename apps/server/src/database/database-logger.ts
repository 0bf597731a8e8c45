import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';

/** Longest statement quoted in a log line. */
const MAX_QUERY = 300;

/**
 * TypeORM's failed statements through the server's own logger (its level, its format) instead of
 * console.log. The statement is quoted short and without its parameters, which may hold secrets.
 */
export class DatabaseLogger implements Logger {
  private readonly console = new NestLogger('Database');

  logQueryError(error: string | Error, query: string): void {
    const text = query.length > MAX_QUERY ? `${query.slice(0, MAX_QUERY)}…` : query;
    this.console.warn(`query failed: ${typeof error === 'string' ? error : error.message} (${text})`);
  }

  logQuery(): void {}
  logQuerySlow(time: number, query: string): void {
    this.console.warn(`slow query (${time} ms): ${query.slice(0, MAX_QUERY)}`);
  }
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.console.warn(String(message));
  }
}
