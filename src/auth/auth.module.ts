import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtModuleOptions } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { createSecretKey } from 'node:crypto';
import { Env } from '../config/env';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginThrottlerGuard, loginThrottlerOptions } from './login-throttler';
import { JWT_ALGORITHM } from './token-claims';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** HS256 pinned for signing and verifying; issuer set and checked. */
function jwtOptions(config: ConfigService<Env, true>): JwtModuleOptions {
  // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to parse it as a
  // public key on every verification, which costs more than the HMAC itself.
  const secret: string = config.get('JWT_SECRET', { infer: true });
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const issuer = config.get('JWT_ISSUER', { infer: true });
  return {
    secretOrKeyProvider: () => key,
    signOptions: { algorithm: JWT_ALGORITHM, expiresIn: config.get('JWT_EXPIRES_IN', { infer: true }), issuer },
    verifyOptions: { algorithms: [JWT_ALGORITHM], issuer },
  };
}

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({ inject: [ConfigService], useFactory: jwtOptions }),
    // Only the login route is throttled (LoginThrottlerGuard); nothing else is limited by it.
    ThrottlerModule.forRootAsync(loginThrottlerOptions),
  ],
  controllers: [AuthController, UsersController],
  providers: [{ provide: APP_GUARD, useClass: AccessGuard }, AuthService, UsersService, LoginThrottlerGuard],
  exports: [JwtModule, UsersService],
})
export class AuthModule {}
