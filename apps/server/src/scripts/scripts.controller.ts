import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ScriptFile, ScriptInfo } from '@tradeloop/contracts';
import { CurrentPrincipal } from '../auth/access.js';
import type { Principal } from '../auth/auth.service.js';
import { SaveScriptDto } from './dto/script.dto.js';
import { ScriptsService } from './scripts.service.js';

@ApiTags('scripts')
@Controller('api/scripts')
export class ScriptsController {
  constructor(private readonly scripts: ScriptsService) {}

  @Get()
  @ApiOperation({ summary: 'Strategy scripts in the scripts folder, with what each declares and the strategies using it' })
  list(): Promise<ScriptInfo[]> {
    return this.scripts.list();
  }

  @Get(':name')
  @ApiOperation({ summary: 'One script with its source' })
  read(@Param('name') name: string): Promise<ScriptFile> {
    return this.scripts.read(name);
  }

  @Put(':name')
  @ApiOperation({
    summary:
      'Create or replace a script; one that does not load is refused with its line and column, and not written. Rate-limited per user (429).',
  })
  save(@Param('name') name: string, @Body() dto: SaveScriptDto, @CurrentPrincipal() principal: Principal): Promise<ScriptFile> {
    return this.scripts.save(name, dto.source, principal.userId);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a script no strategy uses' })
  remove(@Param('name') name: string): Promise<void> {
    return this.scripts.remove(name);
  }
}
