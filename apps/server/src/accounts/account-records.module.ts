import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Account } from './account.entity.js';
import { AccountsReader } from './accounts.reader.js';

/** The accounts table and its reader, with nothing else: modules below accounts read accounts through this. */
@Module({ imports: [TypeOrmModule.forFeature([Account])], providers: [AccountsReader], exports: [AccountsReader, TypeOrmModule] })
export class AccountRecordsModule {}
