import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { IDLE_MODES, IdleMode, IdleQuery } from '../../common/idle.query';
import { IsCalendarDate } from '../../common/date-range.query';
import { CELL_RULES, CellRule } from '../cost-explanation';

export class CostExplanationQuery extends IdleQuery {
  @ApiPropertyOptional({
    enum: IDLE_MODES,
    default: 'separate',
    description: 'The idle treatment whose effect on the job to show (as the reports take it)',
  })
  declare idle?: IdleMode;

  @ApiProperty({ example: '2026-01-03', format: 'date', description: 'The UTC day to explain (YYYY-MM-DD)' })
  @IsNotEmpty({ message: 'day is required (YYYY-MM-DD)' })
  @IsString()
  @IsCalendarDate()
  day: string;
}

export class ExplainedCapacity {
  @ApiProperty({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  capacity_id: string;

  @ApiProperty({ example: 8, description: 'GPUs reserved that day' })
  gpu_count: number;

  @ApiProperty({ example: 192, description: 'gpu_count × 24' })
  gpu_hours: number;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The owner team (null: none, or another team's, which a member is not shown)",
  })
  owner_team_id: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'platform' })
  owner_team_name: string | null;
}

export class ExplainedCell {
  @ApiProperty({ example: '2026-01-03', format: 'date' })
  day: string;

  @ApiProperty({ example: 'aws' })
  provider: string;

  @ApiProperty({ example: 'h100' })
  gpu_type: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 960,
    description: 'What the provider billed; null: no snapshot yet',
  })
  snapshot_cost_usd: number | null;

  @ApiProperty({ type: ExplainedCapacity, nullable: true, description: 'The capacity covering the day; null: none' })
  capacity: ExplainedCapacity | null;

  @ApiProperty({ example: 100, description: 'GPU-hours used by all jobs in the cell' })
  gpu_hours_used: number;

  @ApiProperty({ example: 2, description: 'Jobs that used the cell' })
  job_count: number;

  @ApiProperty({ example: 5, description: 'What a GPU-hour costs in the cell (USD, 6 decimals)' })
  price_per_gpu_hour: number;

  @ApiProperty({ example: 500, description: 'Charged to the jobs at that price (the reports’ allocated cost)' })
  allocated_usd: number;

  @ApiProperty({ example: 460, description: 'Idle: the snapshot less what the jobs were charged' })
  idle_usd: number;
}

export class ExplainedJobDay {
  @ApiProperty({ example: 'job-0001' })
  job_id: string;

  @ApiProperty({ format: 'uuid' })
  team_id: string;

  @ApiProperty({ example: 'vision' })
  team_name: string;

  @ApiProperty({ example: 'llama-3-70b' })
  model_name: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-03T00:00:00.000Z', description: 'Its use of the day began' })
  interval_start: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-01-03T10:00:00.000Z',
    description: 'Its use of the day ended (a running job: as last measured)',
  })
  interval_end: string;

  @ApiProperty({ example: 8 })
  gpu_count: number;

  @ApiProperty({ example: 80, description: 'gpu_count × the hours of the interval' })
  gpu_hours: number;

  @ApiProperty({ example: 0.8, description: 'Its share of the GPU-hours used in the cell' })
  share: number;

  @ApiProperty({ example: 400, description: 'gpu_hours × price_per_gpu_hour: its allocated cost that day' })
  cost_usd: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 248,
    description: 'cost_usd × the GPU utilization the job reports; null when it reports none',
  })
  used_cost_usd: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.62,
    description: 'The GPU utilization the job reports (0–1); null when it reports none',
  })
  gpu_utilization: number | null;
}

export class ExplainedIdle {
  @ApiProperty({ enum: IDLE_MODES, example: 'share', description: 'The idle treatment explained (idle parameter)' })
  treatment: IdleMode;

  @ApiProperty({
    enum: ['nobody', 'separate', 'jobs', 'owner'],
    example: 'jobs',
    description:
      "Where the cell's idle goes: nobody (there is none), separate (its own total), jobs (the cell's users), owner",
  })
  charged_to: 'nobody' | 'separate' | 'jobs' | 'owner';

  @ApiProperty({ example: 368, description: 'The idle this treatment adds to the job' })
  job_idle_usd: number;

  @ApiProperty({ example: 768, description: 'cost_usd + job_idle_usd: what the reports charge the job under it' })
  job_total_usd: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'owner: the team charged' })
  owner_team_id?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'platform' })
  owner_team_name?: string | null;

  @ApiProperty({ example: "The cell's $460.00 of idle is spread over its 2 jobs by their cost there." })
  description: string;
}

export class CostExplanationResponse {
  @ApiProperty({ example: 'job-0001' })
  job_id: string;

  @ApiProperty({ example: '2026-01-03', format: 'date' })
  day: string;

  @ApiProperty({
    enum: CELL_RULES,
    example: 'capacity',
    description:
      'capacity: a GPU-hour at snapshot ÷ capacity GPU-hours, the rest idle; over_capacity: used beyond capacity, ' +
      'split by GPU-hours; usage: no capacity, split by GPU-hours; unpriced: no snapshot yet, cost 0',
  })
  rule: CellRule;

  @ApiProperty({ example: 'aws/h100 had 8 GPUs of capacity on 2026-01-03 (192 GPU-hours) …' })
  rule_description: string;

  @ApiProperty({ type: ExplainedCell })
  cell: ExplainedCell;

  @ApiProperty({ type: ExplainedJobDay })
  job: ExplainedJobDay;

  @ApiProperty({ type: ExplainedIdle })
  idle: ExplainedIdle;
}
