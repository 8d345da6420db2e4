import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { AllocationService } from './allocation.service';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { BudgetsService } from './budgets.service';
import { FocusExportService } from './focus-export.service';

@Module({
  imports: [HealthModule],
  controllers: [AnalyticsController],
  providers: [AllocationService, AnalyticsService, BudgetsService, FocusExportService],
  exports: [AllocationService],
})
export class AnalyticsModule {}
