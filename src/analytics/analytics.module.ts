import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { AnomaliesController } from './anomalies.controller';
import { AnomaliesService } from './anomalies.service';
import { BudgetsService } from './budgets.service';
import { FocusExportService } from './focus-export.service';
import { ForecastService } from './forecast.service';
import { CostSnapshotsWriter } from './snapshots/cost-snapshots.writer';

@Module({
  imports: [AllocationModule],
  controllers: [AnalyticsController, AnomaliesController],
  providers: [
    AnalyticsService,
    BudgetsService,
    FocusExportService,
    ForecastService,
    CostSnapshotsWriter,
    AnomaliesService,
  ],
  // The alert rules judge budgets and anomalies with the same forecast and the same anomaly rule.
  // The archive writes the months it archives with the FOCUS export.
  exports: [CostSnapshotsWriter, ForecastService, AnomaliesService, FocusExportService],
})
export class AnalyticsModule {}
