import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { StrategyDetail, StrategyListItem, StrategyView } from '@tradeloop/contracts';
import { CurrentPrincipal } from '../auth/access.js';
import type { Principal } from '../auth/auth.service.js';
import { CreateStrategyDto, UpdateStrategyDto } from './dto/strategy.dto.js';
import { StrategiesService } from './strategies.service.js';

/** A webhook URL places orders: only callers who may trade see it, never a read-only token. */
const mayTrade = (principal: Principal) => principal.scope !== 'read';

@ApiTags('strategies')
@Controller('api/strategies')
export class StrategiesController {
  constructor(private readonly strategies: StrategiesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Strategies with live todayPnl, totalPnl, openPnl and position (net quantity per ticker); webhookUrl only for callers who may trade',
  })
  list(@CurrentPrincipal() principal: Principal): Promise<StrategyListItem[]> {
    return this.strategies.list(mayTrade(principal));
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<StrategyDetail> {
    return this.strategies.detail(id, mayTrade(principal));
  }

  @Post()
  @ApiOperation({ summary: 'Create a strategy; the answer holds its webhookToken and webhookUrl' })
  create(@Body() dto: CreateStrategyDto): Promise<StrategyView> {
    return this.strategies.create(dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change settings; {"enabled": false} stops it taking alerts' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateStrategyDto): Promise<StrategyView> {
    return this.strategies.update(id, dto);
  }

  @Post(':id/rotate-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'New webhook token and URL; the old URL stops working at once' })
  rotateToken(@Param('id', ParseUUIDPipe) id: string): Promise<StrategyView> {
    return this.strategies.rotateToken(id);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.strategies.remove(id);
  }
}
