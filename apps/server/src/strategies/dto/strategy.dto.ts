import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { MAX_QUANTITY } from '@tradeloop/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  ValidateNested,
} from 'class-validator';

/** A copy may trade up to this many contracts per contract of the signal. */
export const MAX_LINK_MULTIPLIER = 1000;

/** One account the signal is copied to. */
export class LinkInput {
  @ApiProperty() @IsUUID() accountId!: string;
  @ApiPropertyOptional({ default: 1, maximum: MAX_LINK_MULTIPLIER, description: 'Contracts per contract of the signal' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_LINK_MULTIPLIER)
  multiplier?: number;
  @ApiPropertyOptional({ example: 'MNQ1!', description: "Trade this symbol instead of the alert's" })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  symbolOverride?: string | null;
  @ApiPropertyOptional({ default: false, description: 'Trade the opposite side' }) @IsOptional() @IsBoolean() inverse?: boolean;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

export class CreateStrategyDto {
  @ApiProperty({ example: 'NQ trend' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({ description: 'Defaults to the first account (Paper)' }) @IsOptional() @IsUUID() accountId?: string;
  @ApiPropertyOptional({ default: 1, maximum: MAX_QUANTITY, description: 'Contracts per alert when the alert has no quantity' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_QUANTITY)
  defaultQuantity?: number;
  @ApiPropertyOptional({ example: 'NQ1!', nullable: true, description: 'Ticker for alerts that name none; null: none' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  defaultTicker?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({
    example: ['tradingview', '203.0.113.0/24'],
    description: 'Addresses or CIDR ranges allowed to call the webhook; "tradingview" stands for its published addresses. Empty: any.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedIps?: string[];
  @ApiPropertyOptional({
    example: 'breakout.ts',
    nullable: true,
    description: 'A script in the scripts folder that decides what the strategy does; null: alerts pass straight to the broker',
  })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  script?: string | null;
  @ApiPropertyOptional({
    example: { qty: 2 },
    description: "Values for the script's params; each must be declared by the script, with its default's type",
  })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: [LinkInput],
    description: "Accounts the signal is copied to (replaces the list); the strategy's own account is its recorder",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LinkInput)
  links?: LinkInput[];
  @ApiPropertyOptional({
    example: { takeProfit: { ticks: 40 }, stopLoss: { ticks: 20 }, trailingTicks: 12 },
    description:
      'Default exits for entries its alerts open: takeProfit / stopLoss as {ticks|points|percent|price}, breakEvenTicks, trailingTicks',
  })
  @IsOptional()
  @IsObject()
  exits?: Record<string, unknown> | null;
  @ApiPropertyOptional({
    example: { maxPositionSize: 3, maxDailyLoss: 500, tradingWindow: { start: '09:30', end: '15:55' }, flattenAt: '15:55' },
    description:
      'Risk limits: maxPositionSize, maxOrderQuantity (both default to the server-wide risk settings), maxOrdersPerMinute, maxDailyLoss, maxDailyProfit, tradingWindow, flattenAt, timeZone',
  })
  @IsOptional()
  @IsObject()
  risk?: Record<string, unknown> | null;
}

export class UpdateStrategyDto extends PartialType(CreateStrategyDto) {}
