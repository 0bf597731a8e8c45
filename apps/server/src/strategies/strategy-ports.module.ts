import { Global, Module } from '@nestjs/common';
import { LinkIds } from '../pnl/link-ids.js';
import { ScriptUsers } from '../scripts/script-users.js';
import { LinksModule } from './links.module.js';
import { StrategiesReader } from './strategies.reader.js';
import { StrategyLinksService } from './strategy-links.service.js';

/**
 * What modules below strategies ask of them, answered here: which strategies run a script (for
 * the scripts list), which position keys are links (for P&L). Global, so those modules need not
 * import strategies.
 */
@Global()
@Module({
  imports: [LinksModule],
  providers: [
    { provide: ScriptUsers, useExisting: StrategiesReader },
    { provide: LinkIds, useExisting: StrategyLinksService },
  ],
  exports: [ScriptUsers, LinkIds],
})
export class StrategyPortsModule {}
