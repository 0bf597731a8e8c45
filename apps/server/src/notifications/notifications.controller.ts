import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { NotificationChannelView, NotificationDeliveryView, NotificationTestResult } from '@tradeloop/contracts';
import { AdminOnly } from '../auth/access.js';
import { NotificationChannelsService } from './notification-channels.service.js';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly channels: NotificationChannelsService) {}

  @Get('channels')
  @ApiOperation({ summary: 'Channels with their settings; secrets only as a hint (last four characters)' })
  list(): Promise<NotificationChannelView[]> {
    return this.channels.list();
  }

  @Get('channels/:id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<NotificationChannelView> {
    return this.channels.get(id);
  }

  @Post('channels')
  @AdminOnly()
  @ApiOperation({ summary: 'Add a Discord, Telegram, JSON webhook or email channel; secrets are sealed and never returned' })
  create(@Body() body: unknown): Promise<NotificationChannelView> {
    return this.channels.create(body);
  }

  @Patch('channels/:id')
  @AdminOnly()
  @ApiOperation({ summary: 'Change a channel: fields merge; a secret left out keeps its value; events set what it subscribes to' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<NotificationChannelView> {
    return this.channels.update(id, body);
  }

  @Delete('channels/:id')
  @AdminOnly()
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.channels.remove(id);
  }

  @Post('channels/:id/test')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a test message now (one attempt): the answer says what the service said' })
  test(@Param('id', ParseUUIDPipe) id: string): Promise<NotificationTestResult> {
    return this.channels.test(id);
  }

  @Get('deliveries')
  @ApiOperation({ summary: 'The latest notifications and how their delivery went, newest first' })
  deliveries(@Query('limit') limit?: string): Promise<NotificationDeliveryView[]> {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500)
      throw new BadRequestException(`limit must be a whole number from 1 to 500, got ${JSON.stringify(limit)}`);
    return this.channels.deliveries(n);
  }
}
