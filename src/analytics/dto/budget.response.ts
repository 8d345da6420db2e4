import { ApiProperty } from '@nestjs/swagger';
import type { BudgetStatus } from '../budget-math';

const BUDGET_STATUSES: BudgetStatus[] = ['ok', 'warning', 'over', 'no_budget'];

export class TeamBudget {
  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  team_id: string;

  @ApiProperty({ example: 'ml-research' })
  team_name: string;

  @ApiProperty({ type: Number, nullable: true, example: 1000, description: 'Monthly budget in USD; null for none' })
  budget_usd: number | null;

  @ApiProperty({ example: 720, description: 'Allocated cost so far this month, USD' })
  spend_usd: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 72,
    description: 'spend / budget in percent; null without one',
  })
  pct_used: number | null;

  @ApiProperty({
    example: 1116,
    description: 'Month-end forecast, the forecast_usd of GET /analytics/forecast (weekday-aware, see its method)',
  })
  forecast_usd: number;

  @ApiProperty({
    enum: BUDGET_STATUSES,
    example: 'warning',
    description: 'over: spent more than the budget; warning: spent or forecast at least 80 % of it',
  })
  status: BudgetStatus;
}

export class BudgetReport {
  @ApiProperty({ example: '2026-01', description: 'UTC month' })
  month: string;

  @ApiProperty({ example: 31 })
  days_in_month: number;

  @ApiProperty({ example: 20, description: 'Days of the month with a cost snapshot or GPU usage' })
  days_with_data: number;

  @ApiProperty({ type: [TeamBudget] })
  teams: TeamBudget[];
}
