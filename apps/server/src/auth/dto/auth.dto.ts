import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin' }) @IsString() @Length(1, 100) username!: string;
  @ApiProperty() @IsString() @Length(1, 200) password!: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MaxLength(200) currentPassword!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12) @MaxLength(200) newPassword!: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ example: 'journal export' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: ['read', 'trading'], description: 'read: GET only; trading: read and trade, no access control or secrets' })
  @IsIn(['read', 'trading'])
  scope!: 'read' | 'trading';
  @ApiPropertyOptional({ description: 'Days until it expires; none: until revoked' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}
