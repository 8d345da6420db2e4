import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { DateRangeQuery } from '../../common/date-range.query';
import { IdleQuery } from '../../common/idle.query';
import { LabelFiltersQuery, RefuseLabelFilters, type LabelFilter } from '../../common/label-filters';
import { labelKeyIssue } from '../../common/labels';
import { EARLIEST_DATE, LATEST_DATE } from '../../common/input-limits';
import { lowerCasedList, trimmed } from '../../common/query-transforms';
import { JobFiltersQuery } from '../../jobs/dto/job-filters.query';

export const COST_DIMENSIONS = ['team', 'model', 'provider', 'gpu_type', 'day', 'week', 'month'] as const;
/** A fixed dimension, or `label:<key>` (a label's value). */
export type CostDimension = (typeof COST_DIMENSIONS)[number] | `label:${string}`;
const LABEL_DIMENSION = 'label:';

/** The label key of a `label:<key>` dimension, or null for a fixed one. */
export const labelKeyOf = (dimension: CostDimension): string | null =>
  dimension.startsWith(LABEL_DIMENSION) ? dimension.slice(LABEL_DIMENSION.length) : null;

/** Why a group_by entry is not a dimension, or null. */
function dimensionIssue(value: unknown): string | null {
  if (typeof value !== 'string') return 'group_by must be a comma-separated list';
  if ((COST_DIMENSIONS as readonly string[]).includes(value)) return null;
  if (value.startsWith(LABEL_DIMENSION)) {
    const issue = labelKeyIssue(value.slice(LABEL_DIMENSION.length));
    return issue ? `group_by ${value}: ${issue}` : null;
  }
  return `group_by must be among ${COST_DIMENSIONS.join(', ')}, or label:<key>`;
}

const IsCostDimension = () =>
  ValidateBy(
    {
      name: 'isCostDimension',
      validator: {
        validate: (value: unknown) => dimensionIssue(value) === null,
        // An `each` check's message is made with the whole list: it names the first bad entry.
        defaultMessage: (args?: ValidationArguments) => {
          const entries: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          return entries.map(dimensionIssue).find((issue) => issue !== null) ?? 'invalid group_by';
        },
      },
    },
    { each: true },
  );

/** The filters of the jobs listing, applied to allocated cost over a required date range. */
export class CostFilters extends IntersectionType(DateRangeQuery, JobFiltersQuery) {}

/** by-team and by-model: a range, label filters and what to do with idle cost. */
export class GroupCostQuery extends IntersectionType(DateRangeQuery, IdleQuery, LabelFiltersQuery) {}

export class CostQuery extends IntersectionType(CostFilters, IdleQuery) {
  @ApiPropertyOptional({
    description:
      `Up to three of ${COST_DIMENSIONS.join(', ')} and label:<key> (a label's value, "(none)" for jobs without ` +
      'the label), comma-separated (default: day)',
    example: 'team,label:project',
    type: String,
  })
  @IsOptional()
  @Transform(lowerCasedList)
  @IsArray()
  @ArrayMaxSize(3, { message: 'group_by takes at most three dimensions' })
  @ArrayUnique({ message: 'group_by names a dimension twice' })
  @IsCostDimension()
  group_by?: CostDimension[];

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: a download of the rows (so does Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';
}

/** The cost report is a CSV download with format=csv, or with Accept: text/csv and no format. */
export const wantsCsv = (format: unknown, accept: string | undefined): boolean =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(accept ?? ''));

export class FocusExportQuery extends IntersectionType(DateRangeQuery, IdleQuery, LabelFiltersQuery) {
  @ApiPropertyOptional({ enum: ['focus'], default: 'focus' })
  @IsOptional()
  @IsIn(['focus'], { message: 'format must be focus' })
  format?: 'focus';
}

const EARLIEST_MONTH = EARLIEST_DATE.slice(0, 7);
const LATEST_MONTH = LATEST_DATE.slice(0, 7);

/** Within the months of the dates a report may name (YYYY-MM compares as text). */
const IsMonthInRange = () =>
  ValidateBy({
    name: 'isMonthInRange',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value >= EARLIEST_MONTH && value <= LATEST_MONTH,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'month'} must be from ${EARLIEST_MONTH} to ${LATEST_MONTH}`,
    },
  });

/** A `month` parameter: a UTC month written YYYY-MM within the months a report may name. */
export const IsReportMonth = () =>
  applyDecorators(
    IsString(),
    Transform(trimmed),
    Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be a month written YYYY-MM' }),
    IsMonthInRange(),
  );

export const MONTH_DESCRIPTION = `UTC month, YYYY-MM, ${EARLIEST_MONTH} to ${LATEST_MONTH}`;

export class BudgetsQuery {
  @ApiPropertyOptional({ example: '2026-01', description: `${MONTH_DESCRIPTION} (default: the current month)` })
  @IsOptional()
  @IsReportMonth()
  month?: string;

  @RefuseLabelFilters("a budget is a team's whole spend")
  labels?: LabelFilter[];
}
