import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { RateLimitStore } from './rate-limit-store';
import { rateLimitOptions } from './rate-limits';

/** Holds the store, so that the throttler options can use it and Nest runs its connect and shutdown hooks. */
@Module({ providers: [RateLimitStore], exports: [RateLimitStore] })
class RateLimitStoreModule {}

/**
 * Login, read and export limits: one store, one set of throttlers. ThrottlerModule is global, so
 * any controller can use the decorators of rate-limits.ts without importing this module.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [ConfigService, RateLimitStore],
      useFactory: rateLimitOptions,
    }),
  ],
})
export class RateLimitsModule {}
