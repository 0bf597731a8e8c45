import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/access.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':token')
  @Public()
  @ApiOperation({
    summary:
      'TradingView alert intake: 202 accepted, 200 duplicate id, 400 bad alert, 401 unknown token, 403 address not allowed, 409 disabled, 413 too large, 429 rate limit',
  })
  @ApiBody({ schema: { type: 'object', example: { ticker: 'NQ1!', action: 'buy', quantity: 1, id: '{{strategy.order.id}}' } } })
  async receive(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // When the request arrived (Fastify counts from its first byte), not when its body was parsed.
    const receivedAt = Date.now() - reply.elapsedTime;
    const result = await this.webhooks.receive(token, body, request.ip ?? null, Math.round(receivedAt));
    reply.status(result.status);
    return result.body;
  }
}
