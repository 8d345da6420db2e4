import { ApiProperty } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { JobDailyCostResponse } from './job-daily-cost.response';
import { JOB_STATUSES, JobStatus } from '../job-status';

export class JobResponse {
  @ApiProperty({ format: 'uuid', example: '9d1f7c1e-3b7a-4f7e-8a51-6c1f0c2b9e44', description: 'Heliox id' })
  id: string;

  @ApiProperty({ example: 'job-0001', description: "The scheduler's id" })
  job_id: string;

  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  team_id: string;

  @ApiProperty({ example: 'ml-research' })
  team_name: string;

  @ApiProperty({ example: 'llama-3-70b' })
  model_name: string;

  @ApiProperty({ example: 'aws' })
  provider: string;

  @ApiProperty({ example: 'h100' })
  gpu_type: string;

  @ApiProperty({ example: 8, description: 'Fractions are MIG slices or shared GPUs' })
  gpu_count: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-03T08:00:00.000Z' })
  start_time: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-01-03T18:00:00.000Z',
    description: 'null while the job runs',
  })
  end_time: string | null;

  @ApiProperty({ enum: JOB_STATUSES, example: 'completed' })
  status: JobStatus;

  @ApiProperty({ description: 'Hours from start to end (to now while it runs)', example: 10 })
  duration_hours: number;

  @ApiProperty({ description: 'gpu_count × duration_hours', example: 80 })
  gpu_hours: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { project: 'atlas', experiment: 'lr-sweep-3' },
    description: 'The job’s labels, key → value ({} when none)',
  })
  labels: Record<string, string>;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.62,
    description: 'Average share of its GPUs’ time the job kept them busy (0–1); null when not reported',
  })
  gpu_utilization: number | null;
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
    example: 137,
    description:
      'Matching jobs; exact when total_exact, else a lower bound (counting stops 1,000 rows past the current page)',
  })
  total: number;

  @ApiProperty({ example: true, description: 'Whether total is the exact count' })
  total_exact: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'eyJvIjoiZGVzYyIsInQiOiIyMDI2LTAxLTAzVDA4OjAwOjAwLjAwMDAwMFoiLCJqIjoiam9iLTAwMDEifQ',
    description: 'Pass as cursor for the next page; null on the last page',
  })
  next_cursor: string | null;
}
