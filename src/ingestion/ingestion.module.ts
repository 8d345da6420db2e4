import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { TeamsModule } from '../teams/teams.module';
import { IngestionController } from './ingestion.controller';
import { IngestionRunsService } from './ingestion-runs.service';
import { IngestionService } from './ingestion.service';

@Module({
  imports: [TeamsModule, AnalyticsModule],
  controllers: [IngestionController],
  providers: [IngestionService, IngestionRunsService],
  exports: [IngestionService],
})
export class IngestionModule {}
