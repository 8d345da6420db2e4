import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from './alerts/alerts.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { AuthModule } from './auth/auth.module';
import { CapacityModule } from './capacity/capacity.module';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { HttpDrain } from './common/http-drain';
import { LoggingModule } from './common/logging.module';
import { createValidationPipe } from './common/validation';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { DemoDataModule } from './ingestion/demo-data.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { JobsModule } from './jobs/jobs.module';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { TeamsModule } from './teams/teams.module';
import { WebModule } from './web/web.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DatabaseModule,
    // The registry the alerts' background tasks run in (cleared on shutdown).
    ScheduleModule.forRoot(),
    AuthModule,
    RateLimitsModule,
    HealthModule,
    AnalyticsModule,
    JobsModule,
    TeamsModule,
    IngestionModule,
    DemoDataModule,
    AlertsModule,
    CapacityModule,
    // Last: its files are mounted after every API route.
    WebModule,
  ],
  providers: [
    HttpDrain,
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
