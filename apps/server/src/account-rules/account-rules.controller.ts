import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AccountRulePresetView, AccountRulesView } from '@tradeloop/contracts';
import { AdminOnly } from '../auth/access.js';
import { AccountRulesService } from './account-rules.service.js';

@ApiTags('account rules')
@ApiBearerAuth()
@Controller('api')
export class AccountRulesController {
  constructor(private readonly rules: AccountRulesService) {}

  @Get('account-rules/presets')
  @ApiOperation({ summary: 'Prop-firm presets: firm, plan, sources with dates, the rules in dollars to copy and edit' })
  presets(): AccountRulePresetView[] {
    return this.rules.listPresets();
  }

  @Get('accounts/:id/rules')
  @ApiOperation({ summary: "An account's prop-firm rules, live margins and locks" })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AccountRulesView> {
    return this.rules.view(id);
  }

  @Put('accounts/:id/rules')
  @AdminOnly()
  @ApiOperation({
    summary: 'Set the rules: { preset } copies a firm preset, { rules } writes them out, both: the preset with some rules replaced',
  })
  put(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<AccountRulesView> {
    return this.rules.put(id, body);
  }

  @Delete('accounts/:id/rules')
  @AdminOnly()
  @ApiOperation({ summary: 'Remove the rules (and the locks they set)' })
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<AccountRulesView> {
    return this.rules.remove(id);
  }
}
