import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AlertPreview } from '@tradeloop/contracts';
import { AlertPreviewService } from './alert-preview.service.js';

@ApiTags('strategies')
@ApiBearerAuth()
@Controller('api/strategies')
export class AlertPreviewController {
  constructor(private readonly previews: AlertPreviewService) {}

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'What an alert would do, without executing or logging it: the body is the alert message as TradingView would send it (JSON or text); ' +
      'the answer has the fields as read, the target position, the orders with their prices and brackets, or the refusal the webhook would give',
  })
  @ApiBody({
    schema: {
      type: 'object',
      example: { ticker: 'NQ1!', action: 'buy', quantity: 1, price: 25000, stopLoss: { type: 'stop', amount: 10 } },
    },
  })
  preview(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<AlertPreview> {
    return this.previews.preview(id, body);
  }
}
