import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { str } from './migration-columns.js';

/** The ADMIN_PASSWORD a user's password was last set from (its scrypt hash), so a restart with the same value changes nothing. */
export class AdminPasswordApplied1765110000000 implements MigrationInterface {
  name = 'AdminPasswordApplied1765110000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('users', new TableColumn(str('configPasswordHash', 255, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'configPasswordHash');
  }
}
