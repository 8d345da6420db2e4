import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsUUID } from 'class-validator';
import { RefuseLabelFilters, type LabelFilter } from '../../common/label-filters';
import type { BudgetStatus } from '../budget-math';
import { FORECAST_SETTINGS, ForecastMethod } from '../forecast-math';
import { IsReportMonth, MONTH_DESCRIPTION } from './cost-query.dto';

export class ForecastQuery {
  @ApiProperty({ example: '2026-01', description: MONTH_DESCRIPTION })
  @IsNotEmpty({ message: 'month is required (YYYY-MM)' })
  @IsReportMonth()
  month: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Members may only name their own team' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;

  @RefuseLabelFilters("a forecast is of a team's whole spend, against its budget")
  labels?: LabelFilter[];
}

const METHODS: ForecastMethod[] = ['weekday_profile', 'daily_mean', 'complete'];
const PROJECTED_STATUSES: BudgetStatus[] = ['ok', 'warning', 'over', 'no_budget'];

export class TeamForecast {
  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  team_id: string;

  @ApiProperty({ example: 'ml-research' })
  team_name: string;

  @ApiProperty({ type: Number, nullable: true, example: 3000, description: 'Monthly budget in USD; null for none' })
  budget_usd: number | null;

  @ApiProperty({ example: 1500, description: 'Allocated cost of the month up to and including as_of, USD' })
  spend_to_date_usd: number;

  @ApiProperty({ example: 2200, description: 'Spend to date plus the predicted cost of the days after as_of' })
  forecast_usd: number;

  @ApiProperty({ example: 2080, description: 'Lower end of the interval; never below spend_to_date_usd' })
  forecast_low_usd: number;

  @ApiProperty({ example: 2350, description: 'Upper end of the interval; never below forecast_usd' })
  forecast_high_usd: number;

  @ApiProperty({ example: FORECAST_SETTINGS.interval, description: 'Share of past outcomes the interval held' })
  interval: number;

  @ApiProperty({
    enum: PROJECTED_STATUSES,
    example: 'ok',
    description: 'over: forecast at least the budget; warning: at least 80 % of it; no_budget: none set',
  })
  projected_status: BudgetStatus;

  @ApiProperty({
    enum: METHODS,
    example: 'weekday_profile',
    description:
      'weekday_profile: weekday medians of the last 8 weeks scaled to the last 2 weeks; daily_mean: fewer than ' +
      '14 days of history; complete: the month has no day after as_of',
  })
  method: ForecastMethod;
}

export class ForecastReport {
  @ApiProperty({ example: '2026-03', description: 'UTC month' })
  month: string;

  @ApiProperty({
    example: '2026-03-20',
    format: 'date',
    description: 'The last day with a cost snapshot (or the month end, if earlier): known days end here',
  })
  as_of: string;

  @ApiProperty({ type: [TeamForecast] })
  teams: TeamForecast[];
}
