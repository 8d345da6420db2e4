import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COST_DIMENSIONS, CostDimension } from './cost-query.dto';

/**
 * Utilization of the jobs' own (allocated) cost: used_cost_usd + waste_usd + unmeasured_cost_usd =
 * the allocated cost. Idle charged to a row (idle=share, owner) is no job's use and is not split.
 */
export class UtilizationTotals {
  @ApiProperty({ example: 310.5, description: 'Σ cost × gpu_utilization over the jobs that report it' })
  used_cost_usd: number;

  @ApiProperty({ example: 189.5, description: 'The cost of the jobs that report utilization, less its used part' })
  waste_usd: number;

  @ApiProperty({
    example: 220,
    description: 'The cost of jobs that do not report utilization (never counted as waste)',
  })
  unmeasured_cost_usd: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.621,
    description: 'used ÷ cost over the jobs that report utilization (4 decimals); null when none does',
  })
  efficiency: number | null;
}

/** What every per-team and per-model row carries beside its key. */
class GroupCost extends UtilizationTotals {
  @ApiProperty({
    example: 720,
    description: 'Allocated cost in USD, rounded to cents; with idle given, allocated + idle (cost_usd)',
  })
  total_cost_usd: number;

  @ApiPropertyOptional({ example: 600, description: 'With idle given: what the jobs used, at the cells’ prices' })
  allocated_usd?: number;

  @ApiPropertyOptional({ example: 120, description: 'With idle given: idle cost charged to the row (share, owner)' })
  idle_usd?: number;

  @ApiPropertyOptional({ example: 720, description: 'With idle given: allocated_usd + idle_usd' })
  cost_usd?: number;

  @ApiProperty({ example: 2, description: 'Jobs with GPU usage in the range' })
  job_count: number;

  @ApiProperty({ example: 86, description: 'GPU-hours used in the range' })
  gpu_hours: number;

  @ApiProperty({ example: 75.79, description: 'Share of the allocated cost of the range, in percent' })
  share_pct: number;

  @ApiProperty({ example: '2026-01-01', format: 'date', description: 'The start asked for' })
  start_date: string;

  @ApiProperty({ example: '2026-01-31', format: 'date', description: 'The end asked for' })
  end_date: string;
}

export class ModelCost extends GroupCost {
  @ApiProperty({ example: 'llama-3-70b' })
  model_name: string;
}

export class TeamCost extends GroupCost {
  @ApiProperty({ example: 'ml-research' })
  team_name: string;

  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  team_id: string;
}

export class CostTotals extends UtilizationTotals {
  @ApiProperty({ example: 950, description: 'Cost allocated to jobs, USD' })
  allocated_usd: number;

  @ApiPropertyOptional({
    example: 0,
    description: 'With idle given: idle cost charged to the rows (share: to the cells’ users; owner: to owner teams)',
  })
  idle_usd?: number;

  @ApiPropertyOptional({ example: 950, description: 'With idle given: allocated_usd + idle_usd, the sum of the rows' })
  cost_usd?: number;

  @ApiProperty({
    example: 300,
    description:
      'Idle cost left separate: paid for, used by no job and charged to no row; 0 when filtered by team, model or status',
  })
  unallocated_usd: number;

  @ApiProperty({ example: 1250, description: 'allocated_usd (+ idle_usd) + unallocated_usd' })
  total_usd: number;

  @ApiProperty({ example: 112, description: 'GPU-hours used by the matching jobs' })
  gpu_hours: number;

  @ApiProperty({ example: 8, description: 'GPU-hours on days without a cost snapshot: used, not yet priced' })
  unpriced_gpu_hours: number;
}

/**
 * A report row: the group_by dimensions' values (model null for an owner's idle), then the
 * measures; `archived` when the window reaches archived months.
 */
export type CostRow = Record<string, string | number | boolean | null>;

/** What a report says of the archived months its window reaches (docs/allocation.md, "Archiving old months"). */
export class ArchivedPart {
  @ApiProperty({ type: String, isArray: true, example: ['2026-01'], description: 'Archived months in the window' })
  months: string[];

  @ApiProperty({ example: '2026-02-01', format: 'date', description: 'The days before it are archived' })
  first_unarchived_day: string;

  @ApiProperty({
    example:
      'Archived months keep their cost per day, provider and GPU type only: their rows are marked archived, ' +
      'with no team, model or label, no job count and no utilization.',
  })
  note: string;
}

const COST_ROW_EXAMPLE = {
  team_id: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11',
  team_name: 'ml-research',
  month: '2026-01',
  cost_usd: 720,
  gpu_hours: 86,
  unpriced_gpu_hours: 6,
  job_count: 2,
  used_cost_usd: 410.4,
  waste_usd: 153.6,
  unmeasured_cost_usd: 156,
  efficiency: 0.7277,
};

export class CostReport {
  @ApiProperty({ example: '2026-01-01', format: 'date' })
  start_date: string;

  @ApiProperty({ example: '2026-01-31', format: 'date' })
  end_date: string;

  @ApiProperty({
    type: String,
    isArray: true,
    example: ['team', 'label:project'],
    description: `Among ${COST_DIMENSIONS.join(', ')} and label:<key>`,
  })
  group_by: CostDimension[];

  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string', nullable: true }, { type: 'number' }] },
    },
    example: [COST_ROW_EXAMPLE],
    description:
      'One row per group: the dimensions asked for (team: team_id and team_name; model: model_name; provider; ' +
      'gpu_type; day and week: YYYY-MM-DD of their first day; month: YYYY-MM), then cost_usd, gpu_hours, ' +
      'unpriced_gpu_hours and job_count; with idle given, allocated_usd and idle_usd before cost_usd (their sum); ' +
      'then used_cost_usd, waste_usd, unmeasured_cost_usd and efficiency (of the allocated cost). A label:<key> ' +
      'dimension is a field of that name: the label’s value, "(none)" for jobs without it. Under idle=owner an ' +
      'owner team’s idle has no model (model_name null) and no label ("(none)"). Time order, then cost descending. ' +
      'When the window reaches archived months, every row has `archived`, and the archived days come first as ' +
      'rows marked `archived: true`, grouped by the day, week, month, provider and GPU type asked for (team, model ' +
      'and labels null; job_count and the utilization fields null: archived months no longer keep them).',
  })
  rows: CostRow[];

  @ApiProperty({
    type: CostTotals,
    description:
      'Over the whole window, archived days included (from their cells); the archived cost counts as unmeasured',
  })
  totals: CostTotals;

  @ApiPropertyOptional({
    type: ArchivedPart,
    description: 'Present when the window reaches archived months',
  })
  archived?: ArchivedPart;
}
