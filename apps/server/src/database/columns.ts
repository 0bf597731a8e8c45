import { Column, type ColumnOptions } from 'typeorm';

// PostgreSQL returns bigint as a string; every bigint here (cents, epoch milliseconds) fits a JS number.
const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** Money as integer cents: sums stay exact. */
export const CentsColumn = (options: ColumnOptions = {}) => Column({ type: 'bigint', default: 0, transformer: bigintAsNumber, ...options });

/** A UTC instant as epoch milliseconds: the same on SQLite and PostgreSQL. */
export const TimeColumn = (options: ColumnOptions = {}) => Column({ type: 'bigint', transformer: bigintAsNumber, ...options });

export const PriceColumn = (options: ColumnOptions = {}) => Column({ type: 'double precision', ...options });

export const IdColumn = (options: ColumnOptions = {}) => Column({ type: 'varchar', length: 36, ...options });
