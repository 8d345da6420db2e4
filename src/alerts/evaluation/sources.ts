import { Injectable } from '@nestjs/common';
import { AnomaliesService } from '../../analytics/anomalies.service';
import { ForecastService } from '../../analytics/forecast.service';
import type { AnomalyRow } from './candidates';
import { TeamCellDays } from './team-cell-days';

/** A team's forecast spend for a month, beside its budget. */
export interface TeamForecast {
  team_id: string;
  team_name: string;
  budget_usd: number | null;
  forecast_usd: number;
}

/**
 * What `budget_forecast` rules compare with the budget. `teamId` null: every team, in one call
 * (evaluation asks once per month, never once per team).
 */
export interface BudgetForecaster {
  forecastMonth(teamId: string | null, month: string): Promise<TeamForecast[]>;
}
export const BUDGET_FORECASTER = Symbol('BudgetForecaster');

/** What `anomaly` rules fire on: the anomalous days in [start, end] (UTC dates, inclusive). */
export interface AnomalyFinder {
  find(range: { start: string; end: string; teamId?: string }): Promise<AnomalyRow[]>;
}
export const ANOMALY_FINDER = Symbol('AnomalyFinder');

/**
 * The month-end forecast `/analytics/forecast` and `/analytics/budgets` show (ForecastService),
 * without its interval. It does not bring running jobs up to date first (the reports do, before
 * a read): an evaluation after an ingestion should cost the upload's own changes only; the
 * scheduled evaluation measures them first.
 */
@Injectable()
export class ReportForecaster implements BudgetForecaster {
  constructor(private readonly forecasts: ForecastService) {}

  async forecastMonth(teamId: string | null, month: string): Promise<TeamForecast[]> {
    const report = await this.forecasts.forecastFresh(month, teamId ?? undefined, { interval: false });
    return report.teams
      .filter((team) => team.budget_usd !== null && team.budget_usd > 0)
      .map(({ team_id, team_name, budget_usd, forecast_usd }) => ({ team_id, team_name, budget_usd, forecast_usd }));
  }
}

/**
 * The anomaly search `/analytics/anomalies` runs, over the alerts' kept series (TeamCellDays)
 * rather than the job-days: the evaluator has re-summed the changed days just before.
 */
@Injectable()
export class KeptSeriesAnomalyFinder implements AnomalyFinder {
  constructor(
    private readonly anomalies: AnomaliesService,
    private readonly series: TeamCellDays,
  ) {}

  find(range: { start: string; end: string; teamId?: string }): Promise<AnomalyRow[]> {
    return this.anomalies.findIn(range, (start, end, teamId) => this.series.series(start, end, teamId));
  }
}
