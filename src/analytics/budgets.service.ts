import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { budgetStatus, forecastMonth } from './budget-math';
import type { BudgetReport } from './dto/budget.response';
import { roundCents } from './money';

interface MonthDays {
  days_in_month: number;
  days_with_data: number;
}

interface TeamSpendRow {
  team_id: string;
  team_name: string;
  budget_usd: string | null;
  spend: string;
}

@Injectable()
export class BudgetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  /** Spend against the monthly budget of every team (or the one given), with a run-rate forecast. */
  async forMonth(month: string, teamId: string | undefined): Promise<BudgetReport> {
    await this.allocation.ensureFresh();
    const first = `${month}-01`;
    const [{ days_in_month, days_with_data }] = await this.dataSource.query<MonthDays[]>(
      `SELECT extract(day FROM ($1::date + interval '1 month' - interval '1 day'))::int AS days_in_month,
              (SELECT count(DISTINCT day)::int FROM allocation_cells
                WHERE day >= $1::date AND day < ($1::date + interval '1 month')) AS days_with_data`,
      [first],
    );
    const rows = await this.dataSource.query<TeamSpendRow[]>(
      `SELECT t.id::text AS team_id, t.name AS team_name, t.budget_usd::text AS budget_usd, coalesce(s.spend, 0)::text AS spend
       FROM teams t
       LEFT JOIN (
         SELECT team_id, sum(cost_usd) AS spend FROM allocation_team_days
         WHERE day >= $1::date AND day < ($1::date + interval '1 month') GROUP BY team_id
       ) s ON s.team_id = t.id
       WHERE $2::uuid IS NULL OR t.id = $2::uuid
       ORDER BY coalesce(s.spend, 0) DESC, t.name`,
      [first, teamId ?? null],
    );
    const teams = rows.map((r) => {
      const spend = roundCents(r.spend);
      const budget = r.budget_usd === null ? null : Number(r.budget_usd);
      const forecast = forecastMonth(spend, days_with_data, days_in_month);
      return {
        team_id: r.team_id,
        team_name: r.team_name,
        budget_usd: budget,
        spend_usd: spend,
        pct_used:
          budget === null ? null : budget > 0 ? Math.round((spend / budget) * 10_000) / 100 : spend > 0 ? 100 : 0,
        forecast_usd: forecast,
        status: budgetStatus(spend, forecast, budget),
      };
    });
    return { month, days_in_month, days_with_data, teams };
  }
}
