import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
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
  MaxLength,
} from 'class-validator';

export class CreateStrategyDto {
  @ApiProperty({ example: 'NQ trend' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({ description: 'Defaults to the first account (Paper)' }) @IsOptional() @IsUUID() accountId?: string;
  @ApiPropertyOptional({ default: 1, description: 'Contracts per alert when the alert has no quantity' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  defaultQuantity?: number;
  @ApiPropertyOptional({ example: 'NQ1!', description: 'Ticker for alerts that name none' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  defaultTicker?: string;
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
}

export class UpdateStrategyDto extends PartialType(CreateStrategyDto) {}
