import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { Statements } from '../database/statements.js';
import { SystemSetting } from './system-setting.entity.js';

const READ_VALUE = 'SELECT "value" FROM system_settings WHERE "key" = ?';

/**
 * Server-wide settings that survive a restart (the kill switch, the watchlist, the simulated feed),
 * one JSON value per key. The one owner of the `system_settings` table.
 *
 * The kill switch is read before every order that adds exposure. Where this process writes the
 * database alone, a value once read or written is held in memory and changed the moment a write
 * commits; where several processes share it, any of them may engage the switch, so every read
 * goes to the database.
 */
@Injectable()
export class SystemSettings {
  private readonly held: Map<string, string | null> | null;
  /** Bumped by every committed write: a read that began before one is not kept. */
  private changes = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly database: DatabaseService,
    private readonly statements: Statements,
  ) {
    this.held = soleWriter(config) ? new Map() : null;
  }

  /** The stored JSON text of `key`, or null when it was never written. */
  async read(key: string): Promise<string | null> {
    if (this.held?.has(key)) return this.held.get(key) ?? null;
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
