import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { HttpDrain } from './common/http-drain';
import { LoggingModule } from './common/logging.module';
import { createValidationPipe } from './common/validation';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';

@Module({
  imports: [AppConfigModule, LoggingModule, DatabaseModule, AuthModule, HealthModule],
  providers: [
    HttpDrain,
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
