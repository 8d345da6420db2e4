import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DateRangeQuery } from '../../common/date-range.query';
import { lowerCased } from '../../common/query-transforms';
import { RowLimit } from '../../common/pagination';
import { IdleQuery } from '../../common/idle.query';
import { LabelFiltersQuery } from '../../common/label-filters';

/** The dimensions a trend compares: the ones of /analytics/cost that are not time. */
const TREND_DIMENSIONS = ['team', 'model', 'provider', 'gpu_type'] as const;
export type TrendDimension = (typeof TREND_DIMENSIONS)[number];

const DEFAULT_TREND_ROWS = 100;
const MAX_TREND_ROWS = 1000;

export class TrendsQuery extends IntersectionType(DateRangeQuery, IdleQuery, LabelFiltersQuery) {
  @ApiProperty({ enum: TREND_DIMENSIONS, example: 'team', description: 'What each row is' })
  @Transform(lowerCased)
  @IsIn(TREND_DIMENSIONS, { message: `group_by must be one of ${TREND_DIMENSIONS.join(', ')}` })
  group_by: TrendDimension;

  @ApiPropertyOptional({ format: 'uuid', description: 'Members may only name their own team' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;

  @RowLimit(MAX_TREND_ROWS, DEFAULT_TREND_ROWS, 'The largest changes first; the totals cover every group')
  limit: number = DEFAULT_TREND_ROWS;
}

export class TrendTotals {
  @ApiProperty({ example: 310, description: 'Allocated cost of start … end, USD' })
  cost_usd: number;

  @ApiProperty({ example: 450, description: 'Allocated cost of previous_start … previous_end, USD' })
  previous_cost_usd: number;

  @ApiProperty({ example: -140, description: 'cost_usd − previous_cost_usd' })
  change_usd: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: -31.11,
    description: 'change_usd / previous_cost_usd in percent; null when the previous cost is 0',
  })
  change_pct: number | null;
}

/** A trend row: the group's fields as in /analytics/cost, then the comparison. */
export type TrendRow = Record<string, string | number | null>;

const TREND_ROW_EXAMPLE = {
  team_id: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11',
  team_name: 'ml-research',
  cost_usd: 180,
  previous_cost_usd: 400,
  change_usd: -220,
  change_pct: -55,
};

export class TrendsReport {
  @ApiProperty({ example: '2026-07-01', format: 'date' })
  start: string;

  @ApiProperty({ example: '2026-07-10', format: 'date' })
  end: string;

  @ApiProperty({ example: '2026-06-21', format: 'date', description: 'As many days as start … end, just before start' })
  previous_start: string;

  @ApiProperty({ example: '2026-06-30', format: 'date', description: 'The day before start' })
  previous_end: string;

  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number', nullable: true }] },
    },
    example: [TREND_ROW_EXAMPLE],
    description:
      'One row per group with cost in either window: the group fields of /analytics/cost (team: team_id and ' +
      'team_name; model: model_name; provider; gpu_type), then cost_usd, previous_cost_usd, change_usd and ' +
      'change_pct (null when the previous cost is 0). Largest |change_usd| first.',
  })
  rows: TrendRow[];

  @ApiProperty({ type: TrendTotals })
  totals: TrendTotals;
}
