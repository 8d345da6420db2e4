import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { AnomaliesController } from './anomalies.controller';
import { AnomaliesService } from './anomalies.service';
import { BudgetsService } from './budgets.service';
import { FocusExportService } from './focus-export.service';
import { CostSnapshotsWriter } from './snapshots/cost-snapshots.writer';

@Module({
  imports: [AllocationModule],
  controllers: [AnalyticsController, AnomaliesController],
  providers: [AnalyticsService, BudgetsService, FocusExportService, CostSnapshotsWriter, AnomaliesService],
  // AnomaliesService: the alert rules judge the days an ingestion changed with the same rule.
  exports: [CostSnapshotsWriter, AnomaliesService],
})
export class AnalyticsModule {}
