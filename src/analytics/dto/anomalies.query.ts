import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { DateRangeQuery } from '../../common/date-range.query';
import { LabelFiltersQuery } from '../../common/label-filters';
import { RowLimit } from '../../common/pagination';

/**
 * Rows of an answer: a dashboard shows a few, a review of a month reads a few hundred. A year of a
 * large fleet at the default thresholds finds tens of thousands (12.9 MB of JSON at a million
 * jobs), which no reader wants in one answer; `total` says how many there were.
 */
const DEFAULT_ANOMALY_ROWS = 500;
const MAX_ANOMALY_ROWS = 5000;

/**
 * The days to judge (the history before `start` is read too), optionally one team, and label
 * filters: with them each series is the cost of the labelled jobs alone.
 */
export class AnomaliesQuery extends IntersectionType(DateRangeQuery, LabelFiltersQuery) {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this team; members may only name their own' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;

  @RowLimit(
    MAX_ANOMALY_ROWS,
    DEFAULT_ANOMALY_ROWS,
    'The largest changes (|cost − expected|) are kept; `total` counts every anomaly found',
  )
  limit: number = DEFAULT_ANOMALY_ROWS;
}
