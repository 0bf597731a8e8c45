import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AccountView } from '@tradeloop/contracts';
import { AdminOnly } from '../auth/access.js';
import { AccountsService } from './accounts.service.js';
import { CreateAccountDto, UpdateAccountDto } from './dto/account.dto.js';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'Accounts with starting balance, realized P&L and balance in dollars; secrets by name only' })
  list(): Promise<AccountView[]> {
    return this.accounts.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AccountView> {
    return this.accounts.viewOne(id);
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Add a broker account; secrets are encrypted at rest and never returned' })
  create(@Body() dto: CreateAccountDto): Promise<AccountView> {
    return this.accounts.create(dto);
  }

  @Patch(':id')
  @AdminOnly()
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateAccountDto): Promise<AccountView> {
    return this.accounts.update(id, dto);
  }
}
