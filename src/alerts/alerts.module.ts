import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { HealthModule } from '../health/health.module';
import { AlertActivityService } from './alert-activity.service';
import { AlertActivityController, AlertChannelsController, AlertRulesController } from './alerts.controller';
import { AlertsScheduler } from './alerts-scheduler';
import { ChannelsService } from './channels.service';
import { DeliveryWorker } from './delivery/delivery-worker';
import { AlertsEvaluator } from './evaluation/alerts-evaluator';
import { PendingDays } from './evaluation/pending-days';
import { ANOMALY_FINDER, BUDGET_FORECASTER, KeptSeriesAnomalyFinder, ReportForecaster } from './evaluation/sources';
import { TeamCellDays } from './evaluation/team-cell-days';
import { RulesService } from './rules.service';

/**
 * The days whose allocation changed, marked in the refresh's own transaction. Its own module so
 * that the ingest CLI marks them too (the API's evaluation picks them up) without running the
 * alerts' background work.
 */
@Module({
  imports: [AllocationModule],
  providers: [PendingDays],
  exports: [PendingDays],
})
export class AlertMarksModule {}

/**
 * Alerts: channels, rules, their evaluation after ingestions and on a schedule, the events that
 * fired and the outbox that delivers them (docs/decisions.md, "Alerts").
 */
@Module({
  imports: [AlertMarksModule, AllocationModule, AnalyticsModule, HealthModule],
  controllers: [AlertChannelsController, AlertRulesController, AlertActivityController],
  providers: [
    ChannelsService,
    RulesService,
    AlertActivityService,
    AlertsEvaluator,
    DeliveryWorker,
    AlertsScheduler,
    { provide: BUDGET_FORECASTER, useClass: ReportForecaster },
    TeamCellDays,
    { provide: ANOMALY_FINDER, useClass: KeptSeriesAnomalyFinder },
  ],
})
export class AlertsModule {}
