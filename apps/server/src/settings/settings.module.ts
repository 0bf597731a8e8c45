import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SystemSetting } from './system-setting.entity.js';
import { SystemSettings } from './system-settings.service.js';

@Module({ imports: [TypeOrmModule.forFeature([SystemSetting])], providers: [SystemSettings], exports: [SystemSettings] })
export class SettingsModule {}
