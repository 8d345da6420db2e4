import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { DateRangeQuery } from '../../common/date-range.query';
import { JOB_STATUSES, JobStatus } from '../../jobs/job-status';

export const COST_DIMENSIONS = ['team', 'model', 'provider', 'gpu_type', 'day', 'week', 'month'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter(Boolean)
    : value;
const toLowerTrimmed = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
const toTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The filters of the jobs listing, applied to allocated cost. */
export class CostFilters extends DateRangeQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Members may only name their own team' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;

  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES, { message: `status must be one of ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  @ApiPropertyOptional({ example: 'aws' })
  @IsOptional()
  @Transform(toLowerTrimmed)
  @IsString()
  @MaxLength(200)
  provider?: string;

  @ApiPropertyOptional({ example: 'h100' })
  @IsOptional()
  @Transform(toLowerTrimmed)
  @IsString()
  @MaxLength(200)
  gpu_type?: string;

  @ApiPropertyOptional({ example: 'llama-3-70b' })
  @IsOptional()
  @Transform(toTrimmed)
  @IsString()
  @MaxLength(200)
  model_name?: string;
}

export class CostQuery extends CostFilters {
  @ApiPropertyOptional({
    description: `Up to three of ${COST_DIMENSIONS.join(', ')}, comma-separated (default: day)`,
    example: 'team,month',
    type: String,
  })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(3, { message: 'group_by takes at most three dimensions' })
  @ArrayUnique({ message: 'group_by names a dimension twice' })
  @IsIn(COST_DIMENSIONS, { each: true, message: `group_by must be among ${COST_DIMENSIONS.join(', ')}` })
  group_by?: CostDimension[];

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: a download of the rows (so does Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';
}

export class FocusExportQuery extends DateRangeQuery {
  @ApiPropertyOptional({ enum: ['focus'], default: 'focus' })
  @IsOptional()
  @IsIn(['focus'], { message: 'format must be focus' })
  format?: 'focus';
}

export class BudgetsQuery {
  @ApiPropertyOptional({ example: '2026-01', description: 'UTC month, YYYY-MM (default: the current month)' })
  @IsOptional()
  @IsString()
  @Transform(toTrimmed)
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be a month written YYYY-MM' })
  month?: string;
}
