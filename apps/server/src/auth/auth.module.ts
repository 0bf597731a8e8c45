import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthToken } from './auth-token.entity.js';
import { User } from './user.entity.js';
import { APP_GUARD } from '@nestjs/core';
import { ScopeGuard } from './access.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, AuthToken])],
  controllers: [AuthController],
  providers: [AuthService, { provide: APP_GUARD, useClass: ScopeGuard }],
  exports: [AuthService],
})
export class AuthModule {}
