import { CentsColumn, TimeColumn } from '../database/columns.js';

/** An epoch-milliseconds key column. */
export const TimeKeyColumn = () => TimeColumn({ primary: true });
/** Cents that may be unknown: null while a held ticker has no quote, never a silent zero. */
export const MaybeCentsColumn = () => CentsColumn({ nullable: true, default: undefined });
