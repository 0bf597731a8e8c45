import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FlattenResult, KillSwitchResult, KillSwitchState, OrderView } from '@tradeloop/contracts';
import { parseExitTarget } from '@tradeloop/domain';
import { RiskService } from '../risk/risk.service.js';
import { FlattenDto, KillSwitchDto, ManualOrderDto, ReverseDto } from './dto/trading.dto.js';
import { CommandsService } from './commands.service.js';

const exit = (field: 'takeProfit' | 'stopLoss', raw: unknown) => {
  if (raw === undefined) return undefined;
  const target = parseExitTarget(field, raw);
  if (typeof target === 'string') throw new BadRequestException(target);
  return target;
};

@ApiTags('trading')
@ApiBearerAuth()
@Controller('api')
export class TradingController {
  constructor(
    private readonly commands: CommandsService,
    private readonly risk: RiskService,
  ) {}

  @Post('orders')
  @ApiOperation({ summary: 'A manual order (same risk limits, P&L and log as any other); refused ones come back rejected with the reason' })
  placeOrder(@Body() dto: ManualOrderDto): Promise<OrderView> {
    return this.commands.run('placeOrder', {
      ...dto,
      takeProfit: exit('takeProfit', dto.takeProfit),
      stopLoss: exit('stopLoss', dto.stopLoss),
    });
  }

  @Delete('orders/:id')
  @ApiOperation({ summary: 'Cancel a working order' })
  cancelOrder(@Param('id', ParseUUIDPipe) id: string): Promise<OrderView> {
    return this.commands.run('cancelOrder', id);
  }

  @Post('positions/flatten')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel working orders and close positions: by account, strategy (and its links), ticker, or all when none is given',
  })
  flatten(@Body() dto: FlattenDto): Promise<FlattenResult> {
    return this.commands.run('flatten', { ...dto }, 'flattened by hand');
  }

  @Post('positions/reverse')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reverse a position: one market order for twice its size' })
  reverse(@Body() dto: ReverseDto): Promise<OrderView> {
    return this.commands.run('reverse', { ...dto });
  }

  @Get('kill-switch')
  killSwitch(): Promise<KillSwitchState> {
    return this.risk.killSwitchState();
  }

  @Post('kill-switch')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Stop everything: disable every strategy, cancel every working order, close every position; new exposure refused until released',
  })
  engage(@Body() dto: KillSwitchDto): Promise<KillSwitchResult> {
    return this.commands.run('engageKillSwitch', dto.reason ?? 'engaged by hand');
  }

  @Delete('kill-switch')
  @ApiOperation({ summary: 'Release the kill switch (strategies stay disabled until enabled)' })
  release(): Promise<KillSwitchState> {
    return this.commands.run('releaseKillSwitch');
  }
}
