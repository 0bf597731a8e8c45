import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AccountSettings } from '../account.entity.js';
import { IsNumber, IsObject, IsOptional, IsString, Length, Min, ValidateBy, type ValidationOptions } from 'class-validator';

/** A plain JSON object of at most 50 entries, each accepted by `entry`. */
const isSmallMap = (value: unknown, entry: (key: string, v: unknown) => boolean): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length <= 50 &&
  Object.entries(value).every(([key, v]) => entry(key, v));

/** A map of secret names to strings (or null to remove one, on update). */
const SecretMap = (allowNull: boolean, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'secretMap',
      validator: {
        validate: (value: unknown) =>
          isSmallMap(
            value,
            (key, v) =>
              /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key) && ((typeof v === 'string' && v.length <= 4096) || (allowNull && v === null)),
          ),
        defaultMessage: () =>
          `secrets must map names (letters, digits, _) to strings${allowNull ? ' or null to remove one' : ''}, e.g. {"password":"..."}`,
      },
    },
    options,
  );

/** Plugin settings: names to plain values (text, numbers, true/false, null). */
const SettingsMap = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'settingsMap',
      validator: {
        validate: (value: unknown) => isSmallMap(value, (_key, v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)),
        defaultMessage: () => 'settings must map names to text, numbers, true/false or null, e.g. {"environment":"demo"}',
      },
    },
    options,
  );

export class CreateAccountDto {
  @ApiProperty({ example: 'Tradovate demo' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: 'paper-broker', description: 'A broker plugin name' }) @IsString() @Length(1, 100) broker!: string;
  @ApiProperty({ example: 'DEMO123456', description: 'The account as the broker knows it' })
  @IsString()
  @Length(1, 100)
  brokerAccountId!: string;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) startingBalance?: number;
  @ApiPropertyOptional({ example: { environment: 'demo', username: 'trader' }, description: 'Plugin settings that are not secret' })
  @IsOptional()
  @SettingsMap()
  settings?: AccountSettings;
  @ApiPropertyOptional({ example: { password: '…' }, description: 'Stored encrypted; never returned (the answer lists their names)' })
  @IsOptional()
  @SecretMap(false)
  secrets?: Record<string, string>;
  @ApiPropertyOptional({
    example: { maxDailyLoss: 1000, maxPositionSize: 5 },
    description: "Risk limits of the whole account (as a strategy's)",
  })
  @IsOptional()
  @IsObject()
  risk?: Record<string, unknown> | null;
}

export class UpdateAccountDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) brokerAccountId?: string;
  @ApiPropertyOptional() @IsOptional() @SettingsMap() settings?: AccountSettings;
  @ApiPropertyOptional({ description: 'Merged by name: a string sets a secret, null removes it' })
  @IsOptional()
  @SecretMap(true)
  secrets?: Record<string, string | null>;
  @ApiPropertyOptional({ description: 'Risk limits of the whole account; null removes them' })
  @IsOptional()
  @IsObject()
  risk?: Record<string, unknown> | null;
}
