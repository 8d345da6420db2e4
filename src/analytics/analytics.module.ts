import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { BudgetsService } from './budgets.service';
import { FocusExportService } from './focus-export.service';
import { ForecastService } from './forecast.service';
import { CostSnapshotsWriter } from './snapshots/cost-snapshots.writer';

@Module({
  imports: [AllocationModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsService, BudgetsService, FocusExportService, ForecastService, CostSnapshotsWriter],
  exports: [CostSnapshotsWriter, ForecastService],
})
export class AnalyticsModule {}
