import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { addDays, daysInRange, monthAfter } from '../common/calendar';
import { refuseArchived } from './archived-reads';
import { projectedStatus } from './budget-math';
import type { ForecastReport, TeamForecast } from './dto/forecast.dto';
import {
  FORECAST_SETTINGS,
  forecastInputOf,
  forecastMonth,
  forecastWindow,
  pointForecastWindow,
} from './forecast-math';
import { roundCents } from '../common/money';
import { snapshotDays } from './snapshot-days';

interface TeamMonthRow {
  team_id: string;
  team_name: string;
  budget_usd: string | null;
  spend: string;
}

/** A team's daily cost over the days read: days since their first, and each day's cost. */
interface TeamHistoryRow {
  team_id: string;
  offsets: number[];
  costs: number[];
  /** Whether the team spent in the window before the days read (its history starts earlier). */
  spent_before: boolean;
}

/**
 * The month-end forecast per team (forecast-math.ts holds the method): the forecast and budgets
 * reports both answer it, and the benchmark backtests the same arithmetic.
 */
@Injectable()
export class ForecastService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  /**
   * An archived month is refused: its spend by team is gone. A later month's history may reach
   * archived days: they read as days before the team spent, which the forecast already skips
   * (its history starts at a team's first day with cost).
   */
  async forMonth(month: string, teamId: string | undefined): Promise<ForecastReport> {
    refuseArchived(
      await this.allocation.archivedWithin(`${month}-01`, addDays(monthAfter(month), -1)),
      'month',
      'spend by team',
    );
    await this.allocation.ensureFresh();
    return this.forecastFresh(month, teamId);
  }

  /**
   * The same, for a caller that has just brought the allocation up to date. Without `interval`
   * (budgets show none) the bounds are the forecast and the backtest is not run.
   */
  async forecastFresh(
    month: string,
    teamId: string | undefined,
    { interval = true }: { interval?: boolean } = {},
  ): Promise<ForecastReport> {
    const window = forecastWindow(month, await this.lastCostDay());
    const read = interval ? window : pointForecastWindow(window);
    const [teams, days] = await Promise.all([
      this.dataSource.query<TeamMonthRow[]>(
        `SELECT t.id::text AS team_id, t.name AS team_name, t.budget_usd::text AS budget_usd,
                coalesce(s.spend, 0)::text AS spend
         FROM teams t
         LEFT JOIN (
           SELECT team_id, sum(cost_usd) AS spend FROM allocation_team_days
           WHERE day BETWEEN $1::date AND $2::date GROUP BY team_id
         ) s ON s.team_id = t.id
         WHERE $3::uuid IS NULL OR t.id = $3::uuid
         ORDER BY coalesce(s.spend, 0) DESC, t.name`,
        [window.first, window.asOf, teamId ?? null],
      ),
      // One row of arrays per team: ~300 days × every team as rows of dates cost a budgets read
      // (and each alert evaluation of the current month) most of its time in parsing.
      this.dataSource.query<TeamHistoryRow[]>(
        `SELECT team_id::text AS team_id,
                coalesce(array_agg(day - $1::date) FILTER (WHERE day >= $1::date), '{}') AS offsets,
                coalesce(array_agg(cost_usd::float8) FILTER (WHERE day >= $1::date), '{}') AS costs,
                coalesce(bool_or(cost_usd <> 0) FILTER (WHERE day < $1::date), false) AS spent_before
         FROM allocation_team_days
         WHERE day BETWEEN $2::date AND $3::date AND ($4::uuid IS NULL OR team_id = $4::uuid)
         GROUP BY team_id`,
        [read.historyStart, window.historyStart, window.asOf, teamId ?? null],
      ),
    ]);
    const length = daysInRange(read.historyStart, read.asOf);
    const history = new Map<string, TeamHistoryRow & { daily: Float64Array }>();
    for (const row of days) {
      const daily = new Float64Array(length);
      row.offsets.forEach((offset, i) => (daily[offset] = row.costs[i]));
      history.set(row.team_id, { ...row, daily });
    }
    const rows: TeamForecast[] = teams.map((team) => {
      const past = history.get(team.team_id);
      // The spend to date is the exact sum, rounded once; the history is for the prediction only.
      const spend = roundCents(team.spend);
      const input = forecastInputOf(read, (_day, offset) => past?.daily[offset] ?? 0, {
        startedBefore: past?.spent_before ?? false,
      });
      const f = forecastMonth({ ...input, spendToDate: spend }, { interval });
      const budget = team.budget_usd === null ? null : Number(team.budget_usd);
      return {
        team_id: team.team_id,
        team_name: team.team_name,
        budget_usd: budget,
        spend_to_date_usd: spend,
        forecast_usd: f.forecast,
        forecast_low_usd: f.low,
        forecast_high_usd: f.high,
        interval: FORECAST_SETTINGS.interval,
        projected_status: projectedStatus(f.forecast, budget),
        method: f.method,
      };
    });
    return { month, as_of: window.asOf, teams: rows };
  }

  /**
   * The last day with a cost snapshot: a day's bill arrives after the day, so costs are known up
   * to it and it is the forecast's as_of; later days, today's running jobs included, are
   * predicted (their usage is unpriced until the bill comes). With no snapshot at all, yesterday.
   */
  private async lastCostDay(): Promise<string> {
    const { last } = await snapshotDays(this.dataSource);
    return last ?? addDays(new Date().toISOString().slice(0, 10), -1);
  }
}
