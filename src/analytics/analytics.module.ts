import { Module } from '@nestjs/common';
import { AllocationService } from './allocation.service';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { BudgetsService } from './budgets.service';
import { FocusExportService } from './focus-export.service';

@Module({
  controllers: [AnalyticsController],
  providers: [AllocationService, AnalyticsService, BudgetsService, FocusExportService],
  exports: [AllocationService],
})
export class AnalyticsModule {}
