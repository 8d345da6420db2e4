import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { DateRangeQuery } from '../../common/date-range.query';
import { LabelFiltersQuery } from '../../common/label-filters';

/**
 * The days to judge (the history before `start` is read too), optionally one team, and label
 * filters: with them each series is the cost of the labelled jobs alone.
 */
export class AnomaliesQuery extends IntersectionType(DateRangeQuery, LabelFiltersQuery) {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this team; members may only name their own' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;
}
