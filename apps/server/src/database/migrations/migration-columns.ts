import type { QueryRunner, TableColumnOptions } from 'typeorm';

// Written with TypeORM's Table API so one migration serves SQLite and PostgreSQL alike.
export const id = (name = 'id', nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable });
export const primaryId: TableColumnOptions = { ...id(), isPrimary: true };
export const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
export const bigint = (name: string, nullable = false, defaultValue?: number): TableColumnOptions => ({
  name,
  type: 'bigint',
  isNullable: nullable,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});
export const double = (name: string, nullable = false, defaultValue?: number): TableColumnOptions => ({
  name,
  type: 'double precision',
  isNullable: nullable,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});
export const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });

/** SQLite stores booleans as 0/1: a boolean default written the way TypeORM writes the entity's. */
export const booleanDefault = (queryRunner: QueryRunner, value: boolean): string =>
  queryRunner.connection.options.type === 'postgres' ? String(value) : value ? '1' : '0';
