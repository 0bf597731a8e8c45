import { Entity, PrimaryColumn } from 'typeorm';

/**
 * Which lines of the log are a strategy's: the index a strategy's page is read through, kept apart
 * from the lines themselves. On SQLite every commit pays for each page of a B-tree it changes, and
 * an index by strategy gets one page changed per strategy in the commit: a commit of a busy moment
 * writes lines of dozens of strategies. So on SQLite lines are indexed here once a second, in one
 * commit sorted by strategy, and a page reads the newest lines, not indexed yet, from the log
 * itself by id (LogsService). On PostgreSQL, where several processes write and ids are not
 * committed in their order, a line and its entry here are written in one statement.
 */
@Entity('log_strategy_lines', { withoutRowid: true })
export class LogStrategyLine {
  @PrimaryColumn({ type: 'varchar', length: 36 }) strategyId!: string;
  /** The line's id in `log_entries`. */
  @PrimaryColumn({ type: 'integer' }) id!: number;
}
