import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { Env } from '../config/env';
import { AccessGuard } from './access.guard';
import { JWT_ALGORITHM } from './token-claims';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        secret: config.get('JWT_SECRET', { infer: true }),
        signOptions: {
          algorithm: JWT_ALGORITHM,
          expiresIn: config.get('JWT_EXPIRES_IN', { infer: true }),
          issuer: config.get('JWT_ISSUER', { infer: true }),
        },
        verifyOptions: { algorithms: [JWT_ALGORITHM], issuer: config.get('JWT_ISSUER', { infer: true }) },
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AccessGuard }],
  exports: [JwtModule],
})
export class AuthModule {}
