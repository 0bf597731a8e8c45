import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { MAX_SCRIPT_BYTES } from '../scripts.service.js';

export class SaveScriptDto {
  @ApiProperty({
    description: 'The whole file, TypeScript or JavaScript',
    example: 'export default defineStrategy({ onWebhook(alert, ctx) {} });',
  })
  @IsString()
  @MaxLength(MAX_SCRIPT_BYTES)
  source!: string;
}
