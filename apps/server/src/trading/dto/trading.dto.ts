import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_QUANTITY } from '@tradeloop/contracts';
import { IsIn, IsNumber, IsObject, IsOptional, IsPositive, IsString, IsUUID, Length, Max, MaxLength } from 'class-validator';

export class ManualOrderDto {
  @ApiPropertyOptional({ description: 'A manual order on this account (no strategy)' }) @IsOptional() @IsUUID() accountId?: string;
  @ApiPropertyOptional({ description: "Or on a strategy's own account, under the strategy" }) @IsOptional() @IsUUID() strategyId?: string;
  @ApiProperty({ example: 'NQ1!' }) @IsString() @Length(1, 64) ticker!: string;
  @ApiProperty({ enum: ['buy', 'sell'] }) @IsIn(['buy', 'sell']) side!: 'buy' | 'sell';
  @ApiProperty({ example: 1, maximum: MAX_QUANTITY })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_QUANTITY)
  quantity!: number;
  @ApiPropertyOptional({ enum: ['market', 'limit', 'stop'], default: 'market' }) @IsOptional() @IsIn(['market', 'limit', 'stop']) type?:
    'market' | 'limit' | 'stop';
  @ApiPropertyOptional() @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() limitPrice?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() stopPrice?: number;
  @ApiPropertyOptional({ example: { ticks: 40 }, description: '{ticks|points|percent|price}' })
  @IsOptional()
  @IsObject()
  takeProfit?: Record<string, unknown>;
  @ApiPropertyOptional({ example: { ticks: 20 }, description: '{ticks|points|percent|price}' }) @IsOptional() @IsObject() stopLoss?: Record<
    string,
    unknown
  >;
}

export class FlattenDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() accountId?: string;
  @ApiPropertyOptional({ description: 'Its own position and its links’' }) @IsOptional() @IsUUID() strategyId?: string;
  @ApiPropertyOptional({ example: 'NQ1!' }) @IsOptional() @IsString() @Length(1, 64) ticker?: string;
}

export class ReverseDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() accountId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() strategyId?: string;
  @ApiProperty({ example: 'NQ1!' }) @IsString() @Length(1, 64) ticker!: string;
}

export class KillSwitchDto {
  @ApiPropertyOptional({ example: 'stepping away' }) @IsOptional() @IsString() @MaxLength(200) reason?: string;
}
