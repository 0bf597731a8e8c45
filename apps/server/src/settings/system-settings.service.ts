import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { Statements } from '../database/statements.js';
import { SystemSetting } from './system-setting.entity.js';

const READ_VALUE = 'SELECT "value" FROM system_settings WHERE "key" = ?';
const READ_ALL = 'SELECT "key", "value" FROM system_settings';

/**
 * Server-wide settings that survive a restart (the kill switch, the watchlist, the simulated feed),
 * one JSON value per key. The one owner of the `system_settings` table.
 *
 * The kill switch is read before every order that adds exposure. Where this process writes the
 * database alone, every setting is read at start, held in memory and changed the moment a write
 * commits; where several processes share it, any of them may engage the switch, so every read
 * goes to the database.
 */
@Injectable()
export class SystemSettings implements OnModuleInit {
  private readonly held: Map<string, string | null> | null;
  /**
   * Alone: `held` has every row of the table (read at start), so a key it lacks was never written.
   * Until then a value read is kept only if no batch was open: under a flood one always is, and the
   * kill switch was read from the database before every order.
   */
  private complete = false;
  /** Bumped by every committed write: a read that began before one is not kept. */
  private changes = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly database: DatabaseService,
    private readonly statements: Statements,
  ) {
    this.held = soleWriter(config) ? new Map() : null;
  }

  async onModuleInit(): Promise<void> {
    if (!this.held) return;
    const seen = this.changes;
    // As a read below: rows of an open batch may yet roll back, and a write that commits meanwhile is newer.
    const settled = this.database.settled();
    const rows = await this.statements.all<{ key: string; value: string }>(undefined, READ_ALL);
    if (!settled || seen !== this.changes) return;
    for (const row of rows) this.held.set(row.key, row.value);
    this.complete = true;
  }

  /** The stored JSON text of `key`, or null when it was never written. */
  async read(key: string): Promise<string | null> {
    if (this.held && (this.complete || this.held.has(key))) return this.held.get(key) ?? null;
    const seen = this.changes;
    // On SQLite a read while a batch is open sees its uncommitted rows: read, but do not keep.
    const settled = this.database.settled();
    const row = await this.statements.get<{ value: string }>(undefined, READ_VALUE, [key]);
    const value = row?.value ?? null;
    if (this.held && settled && seen === this.changes) this.held.set(key, value);
    return value;
  }

  /** Writes `value` (JSON-encoded) under `key`: in the unit of work `manager` when given, else in a durable one of its own. */
  async write(key: string, value: unknown, manager?: EntityManager): Promise<void> {
    const row: SystemSetting = { key, value: JSON.stringify(value), updatedAt: Date.now() };
    const save = async (m: EntityManager) => {
      await m.save(SystemSetting, row);
      this.database.onCommitted(m, () => {
        this.changes++;
        this.held?.set(key, row.value);
      });
    };
    if (manager) await save(manager);
    else await this.database.transaction(save);
  }
}
