import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { OptionalDateRangeQuery } from '../../common/date-range.query';
import { PageQuery } from '../../common/pagination';
import { JobFiltersQuery } from './job-filters.query';

const JOB_SORTS = ['-start_time', 'start_time'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

/** A page of jobs: the shared job filters, jobs running within start..end, skip/limit or a cursor. */
export class ListJobsQuery extends IntersectionType(PageQuery, JobFiltersQuery, OptionalDateRangeQuery) {
  @ApiPropertyOptional({
    enum: JOB_SORTS,
    default: '-start_time',
    description: 'By start time, descending (default) or ascending; ties by job_id',
  })
  @IsOptional()
  @IsIn(JOB_SORTS)
  sort: JobSort = '-start_time';

  @ApiPropertyOptional({ description: 'The next_cursor of the previous page (keyset paging; use with skip=0)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  cursor?: string;
}
