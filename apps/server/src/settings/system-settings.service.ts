import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';
import { Statements } from '../database/statements.js';
import { SystemSetting } from './system-setting.entity.js';

const READ_VALUE = 'SELECT "value" FROM system_settings WHERE "key" = ?';

/**
 * Server-wide settings that survive a restart (the kill switch, the watchlist, the simulated feed),
 * one JSON value per key. The one owner of the `system_settings` table.
 */
@Injectable()
export class SystemSettings {
  constructor(
    @InjectRepository(SystemSetting) private readonly rows: Repository<SystemSetting>,
    private readonly database: DatabaseService,
    private readonly statements: Statements,
  ) {}

  /** The stored JSON text of `key`, or null when it was never written. Read per order (the kill switch): prepared. */
  async read(key: string): Promise<string | null> {
    const row = await this.statements.get<{ value: string }>(undefined, READ_VALUE, [key]);
    return row?.value ?? null;
  }

  /** Writes `value` (JSON-encoded) under `key`: in the unit of work `manager` when given, else in a durable one of its own. */
  async write(key: string, value: unknown, manager?: EntityManager): Promise<void> {
    const row: SystemSetting = { key, value: JSON.stringify(value), updatedAt: Date.now() };
    if (manager) await manager.save(SystemSetting, row);
    else await this.database.transaction((m) => m.save(SystemSetting, row));
  }
}
