import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { addDays, monthAfter } from '../common/calendar';
import { refuseArchived } from './archived-reads';
import { budgetStatus } from './budget-math';
import type { BudgetReport } from './dto/budget.response';
import { ForecastService } from './forecast.service';

interface MonthDays {
  days_in_month: number;
  days_with_data: number;
}

@Injectable()
export class BudgetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
    private readonly forecasts: ForecastService,
  ) {}

  /** Spend against the monthly budget of every team (or the one given), with the month-end forecast of /forecast. */
  async forMonth(month: string, teamId: string | undefined): Promise<BudgetReport> {
    const first = `${month}-01`;
    refuseArchived(
      await this.allocation.archivedWithin(first, addDays(monthAfter(month), -1)),
      'month',
      'spend by team',
    );
    await this.allocation.ensureFresh();
    const [[{ days_in_month, days_with_data }], forecast] = await Promise.all([
      this.dataSource.query<MonthDays[]>(
        `SELECT extract(day FROM ($1::date + interval '1 month' - interval '1 day'))::int AS days_in_month,
                (SELECT count(DISTINCT day)::int FROM allocation_cells
                  WHERE day >= $1::date AND day < ($1::date + interval '1 month')) AS days_with_data`,
        [first],
      ),
      this.forecasts.forecastFresh(month, teamId, { interval: false }),
    ]);
    // Costs are known up to the forecast's as_of (the last day with a snapshot): its spend to
    // date is the month's allocated spend.
    const teams = forecast.teams.map((f) => {
      const spend = f.spend_to_date_usd;
      const budget = f.budget_usd;
      return {
        team_id: f.team_id,
        team_name: f.team_name,
        budget_usd: budget,
        spend_usd: spend,
        pct_used:
          budget === null ? null : budget > 0 ? Math.round((spend / budget) * 10_000) / 100 : spend > 0 ? 100 : 0,
        forecast_usd: f.forecast_usd,
        status: budgetStatus(spend, f.forecast_usd, budget),
      };
    });
    return { month, days_in_month, days_with_data, teams };
  }
}
