import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { JobDailyCostResponse } from '../../analytics/dto/job-daily-cost.response';
import { JOB_STATUSES, JobStatus } from '../job-status';

export class JobResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'job-0001' })
  job_id: string;

  @ApiProperty({ format: 'uuid' })
  team_id: string;

  @ApiProperty()
  team_name: string;

  @ApiProperty()
  model_name: string;

  @ApiProperty({ example: 'aws' })
  provider: string;

  @ApiProperty({ example: 'h100' })
  gpu_type: string;

  @ApiProperty({ example: 8, description: 'Fractions are MIG slices or shared GPUs' })
  gpu_count: number;

  @ApiProperty({ format: 'date-time' })
  start_time: string;

  @ApiProperty({ format: 'date-time', nullable: true, description: 'null while the job runs' })
  end_time: string | null;

  @ApiProperty({ enum: JOB_STATUSES })
  status: JobStatus;

  @ApiProperty({ description: 'Hours from start to end (to now while it runs)', example: 10 })
  duration_hours: number;

  @ApiProperty({ description: 'gpu_count × duration_hours', example: 80 })
  gpu_hours: number;
}

/** One job with its allocated cost per UTC day. */
export class JobDetailResponse extends JobResponse {
  @ApiProperty({ type: [JobDailyCostResponse] })
  daily_costs: JobDailyCostResponse[];
}

export class JobsPage extends PageMeta {
  @ApiProperty({ type: [JobResponse] })
  jobs: JobResponse[];

  @ApiProperty({
    description:
      'Matching jobs; exact when total_exact, else a lower bound (counting stops 1,000 rows past the current page)',
  })
  total: number;

  @ApiProperty({ description: 'Whether total is the exact count' })
  total_exact: boolean;

  @ApiPropertyOptional({ nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  next_cursor: string | null;
}
