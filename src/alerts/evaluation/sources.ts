import { Injectable } from '@nestjs/common';
import { BudgetsService } from '../../analytics/budgets.service';
import type { AnomalyRow } from './candidates';

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

/** The forecast `/analytics/budgets` shows (BudgetsService), so a rule fires on what people see. */
@Injectable()
export class BudgetsForecaster implements BudgetForecaster {
  constructor(private readonly budgets: BudgetsService) {}

  async forecastMonth(teamId: string | null, month: string): Promise<TeamForecast[]> {
    const report = await this.budgets.forMonth(month, teamId ?? undefined);
    return report.teams.map((t) => ({
      team_id: t.team_id,
      team_name: t.team_name,
      budget_usd: t.budget_usd,
      forecast_usd: t.forecast_usd,
    }));
  }
}
