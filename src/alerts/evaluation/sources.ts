import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { forecastMonth } from '../../analytics/budget-math';
import { roundCents } from '../../analytics/money';
import type { AnomalyRow } from './candidates';

interface ForecastRow {
  team_id: string;
  team_name: string;
  budget_usd: string;
  spend: string;
  days_in_month: number;
  days_with_data: number;
}

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
 * The run-rate projection `/analytics/budgets` shows (budget-math's forecastMonth: the spend per
 * day with data, times the days of the month), read in one query. It does not bring running
 * jobs up to date first (BudgetsService does, before a read): an evaluation after an ingestion
 * should cost the upload's own changes only; the scheduled evaluation measures them first.
 */
@Injectable()
export class RunRateForecaster implements BudgetForecaster {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forecastMonth(teamId: string | null, month: string): Promise<TeamForecast[]> {
    const rows = await this.dataSource.query<ForecastRow[]>(
      `WITH m AS (
         SELECT $1::date AS first,
                extract(day FROM ($1::date + interval '1 month' - interval '1 day'))::int AS days_in_month,
                (SELECT count(DISTINCT day)::int FROM allocation_cells
                  WHERE day >= $1::date AND day < ($1::date + interval '1 month')) AS days_with_data
       )
       SELECT t.id AS team_id, t.name AS team_name, t.budget_usd::text AS budget_usd,
              coalesce(sum(d.cost_usd), 0)::text AS spend, m.days_in_month, m.days_with_data
       FROM m CROSS JOIN teams t
       LEFT JOIN allocation_team_days d ON d.team_id = t.id AND d.day >= m.first AND d.day < (m.first + interval '1 month')
       WHERE t.budget_usd > 0 AND ($2::uuid IS NULL OR t.id = $2::uuid)
       GROUP BY t.id, t.name, t.budget_usd, m.days_in_month, m.days_with_data`,
      [`${month}-01`, teamId],
    );
    return rows.map((r) => ({
      team_id: r.team_id,
      team_name: r.team_name,
      budget_usd: Number(r.budget_usd),
      forecast_usd: forecastMonth(roundCents(r.spend), r.days_with_data, r.days_in_month),
    }));
  }
}
