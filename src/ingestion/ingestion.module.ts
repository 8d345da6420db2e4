import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AllocationModule } from '../allocation/allocation.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { JobsModule } from '../jobs/jobs.module';
import { TeamsModule } from '../teams/teams.module';
import { IngestionRun } from './ingestion-run.entity';
import { IngestionController } from './ingestion.controller';
import { IngestionRunsService } from './ingestion-runs.service';
import { IngestionService } from './ingestion.service';

@Module({
  imports: [TypeOrmModule.forFeature([IngestionRun]), TeamsModule, JobsModule, AnalyticsModule, AllocationModule],
  controllers: [IngestionController],
  providers: [IngestionService, IngestionRunsService],
  exports: [IngestionService],
})
export class IngestionModule {}
