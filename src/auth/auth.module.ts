import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtModuleOptions } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '../config/env';
import { AuthController } from './auth.controller';
import { AccessGuard } from './guards/access.guard';
import { AdminGuard } from './guards/admin.guard';
import { ApiKeyGuard } from './guards/api-key.guard';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { AuthService } from './auth.service';
import { jwtSecretKey } from './jwt-key';
import { JwtStrategy } from './strategies/jwt.strategy';
import { JWT_ALGORITHM } from './token-claims';
import { TokenUserCache } from './token-user-cache';
import { PasswordHasher } from './users/password-hasher';
import { User } from './users/user.entity';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** Signing only: HS256 pinned, issuer and expiry set. JwtStrategy is the one verifier. */
function jwtOptions(config: ConfigService<Env, true>): JwtModuleOptions {
  const key = jwtSecretKey(config);
  const issuer = config.get('JWT_ISSUER', { infer: true });
  return {
    secretOrKeyProvider: () => key,
    signOptions: { algorithm: JWT_ALGORITHM, expiresIn: config.get('JWT_EXPIRES_IN', { infer: true }), issuer },
  };
}

@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    JwtModule.registerAsync({ inject: [ConfigService], useFactory: jwtOptions }),
  ],
  controllers: [AuthController, UsersController],
  providers: [
    { provide: APP_GUARD, useClass: AccessGuard },
    JwtStrategy,
    JwtAuthGuard,
    ApiKeyGuard,
    AdminGuard,
    TokenUserCache,
    AuthService,
    PasswordHasher,
    UsersService,
  ],
})
export class AuthModule {}
