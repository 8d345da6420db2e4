import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery, trimmed } from '../../common/pagination';
import { normaliseStatus } from '../job-status';
import { JOB_STATUSES, JobStatus } from '../job-status';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const lowerCased = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
// The same mapping ingestion applies (succeeded → completed, canceled → cancelled, …); unknown values stay to be refused.
const asStatus = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (normaliseStatus(value.trim().toLowerCase()) ?? value) : value;

export const JOB_SORTS = ['-start_time', 'start_time'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

/** Filters are normalised the way ingestion normalises the data they match. */
export class ListJobsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  team_id?: string;

  @ApiPropertyOptional({ enum: JOB_STATUSES, description: '`succeeded` and `canceled` are accepted too' })
  @IsOptional()
  @Transform(asStatus)
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ example: 'aws' })
  @IsOptional()
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  provider?: string;

  @ApiPropertyOptional({ example: 'h100' })
  @IsOptional()
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  gpu_type?: string;

  @ApiPropertyOptional({ example: 'llama-3-70b' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  model_name?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Jobs running on or after this UTC date' })
  @IsOptional()
  @Matches(DATE, { message: 'start must be a date in the form YYYY-MM-DD' })
  start?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Jobs running on or before this UTC date (inclusive)' })
  @IsOptional()
  @Matches(DATE, { message: 'end must be a date in the form YYYY-MM-DD' })
  end?: string;

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
