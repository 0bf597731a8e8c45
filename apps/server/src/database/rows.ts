import type { SqlValue } from './statements.js';

/**
 * How an entity's fields travel through `Statements`: the column names (the entities' own,
 * quoted alike on SQLite and PostgreSQL) and each field's kind, so a row read through a driver
 * comes back as TypeORM would have mapped it — PostgreSQL's bigint (cents, epoch ms) as a number,
 * SQLite's 0/1 as a boolean, simple-json parsed — and a value is written as the driver takes it.
 */
export type FieldKind = 'text' | 'number' | 'bigint' | 'boolean' | 'json';

export class RowShape<T extends object> {
  readonly columns: string;
  private readonly entries: [keyof T & string, FieldKind][];
  private readonly kinds: Map<string, FieldKind>;
  private readonly updates = new Map<string, string>();

  constructor(
    readonly table: string,
    fields: { [K in keyof T & string]?: FieldKind },
  ) {
    this.entries = Object.entries(fields) as [keyof T & string, FieldKind][];
    this.kinds = new Map(this.entries);
    this.columns = this.entries.map(([name]) => `"${name}"`).join(', ');
  }

  /** `SELECT <columns> FROM <table> WHERE <where>`. */
  select(where: string): string {
    return `SELECT ${this.columns} FROM ${this.table} WHERE ${where}`;
  }

  /** `INSERT` of every field, with `?` placeholders in the order `values()` gives. */
  get insert(): string {
    return this.insertAlso();
  }

  /** `insert` with more columns after the fields (their values follow `values()`'s). */
  insertAlso(...columns: string[]): string {
    return `INSERT INTO ${this.table} (${[this.columns, ...columns.map((c) => `"${c}"`)].join(', ')}) VALUES (${[...this.entries, ...columns].map(() => '?').join(', ')})`;
  }

  /** Every field's value of `entity`, in column order, for `insert`. */
  values(entity: T): SqlValue[] {
    return this.entries.map(([name, kind]) => toSql(entity[name], kind));
  }

  /** `UPDATE … SET` the given fields `WHERE "id" = ?`: the statement and its values (the id last). */
  update(id: string, changes: Partial<T>): [string, SqlValue[]] {
    const names = Object.keys(changes).filter((k) => changes[k as keyof T] !== undefined) as (keyof T & string)[];
    const key = names.join(',');
    let sql = this.updates.get(key);
    if (!sql) {
      sql = `UPDATE ${this.table} SET ${names.map((n) => `"${n}" = ?`).join(', ')} WHERE "id" = ?`;
      this.updates.set(key, sql);
    }
    return [sql, [...names.map((n) => toSql(changes[n], this.kinds.get(n) ?? 'text')), id]];
  }

  /** A row as a driver gave it, as the entity. */
  fromRow(row: Record<string, unknown>): T {
    const entity: Record<string, unknown> = {};
    for (const [name, kind] of this.entries) entity[name] = fromSql(row[name], kind);
    return entity as T;
  }
}

function toSql(value: unknown, kind: FieldKind): SqlValue {
  if (value === undefined || value === null) return null;
  switch (kind) {
    case 'boolean':
      return value ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    default:
      return value as SqlValue;
  }
}

function fromSql(value: unknown, kind: FieldKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bigint':
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'boolean':
      return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return value;
  }
}
