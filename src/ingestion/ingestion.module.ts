import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { TeamsModule } from '../teams/teams.module';
import { IngestionController } from './ingestion.controller';
import { IngestionRunsService } from './ingestion-runs.service';
import { IngestionService } from './ingestion.service';

@Module({
  imports: [TeamsModule, AllocationModule],
  controllers: [IngestionController],
  providers: [IngestionService, IngestionRunsService],
  exports: [IngestionService],
})
export class IngestionModule {}
