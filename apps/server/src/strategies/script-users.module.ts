import { Global, Module } from '@nestjs/common';
import { ScriptUsers } from '../scripts/script-users.js';
import { LinksModule } from './links.module.js';
import { StrategiesReader } from './strategies.reader.js';

/** Answers the scripts module's "who runs this script" from the strategies table. */
@Global()
@Module({ imports: [LinksModule], providers: [{ provide: ScriptUsers, useExisting: StrategiesReader }], exports: [ScriptUsers] })
export class ScriptUsersModule {}
