import { PageMeta } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INGESTION_STATUSES } from '../ingestion-run.entity';

export class RecordErrorDto {
  @ApiProperty({
    example: 3,
    description: '0-based position of the record (NDJSON: line number - 1; CSV: data row, header excluded)',
  })
  index: number;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'job-0004',
    description: 'The job_id (or date/provider/gpu_type of a snapshot), when readable',
  })
  job_id: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'start_time' })
  field: string | null;

  @ApiProperty({ example: 'start_time must be an ISO-8601 timestamp with an offset, such as 2026-01-03T09:30:00Z' })
  message: string;
}

export class RecordCountsDto {
  @ApiProperty({ example: 26, description: 'New records written' }) inserted: number;
  @ApiProperty({ example: 2, description: 'Stored records changed' }) updated: number;
  @ApiProperty({ example: 1, description: 'Already stored exactly so; not written' }) unchanged: number;
  @ApiProperty({ example: 1, description: 'Invalid records' }) failed: number;
  @ApiProperty({ example: 0, description: 'Replaced by a later record with the same key in the same payload' })
  superseded: number;
  @ApiProperty({ example: 30, description: 'Records read' }) total: number;
}

export class TeamCountsDto {
  @ApiProperty({ example: 1, description: 'Teams created by this run' }) created: number;
  @ApiProperty({ example: 2, description: 'Teams that existed already' }) existing: number;
  @ApiProperty({ example: 3, description: 'Teams named in the payload' }) total: number;
}

export class IngestionResultDto {
  @ApiPropertyOptional({ type: TeamCountsDto }) teams?: TeamCountsDto;
  @ApiPropertyOptional({ type: RecordCountsDto }) jobs?: RecordCountsDto;
  @ApiPropertyOptional({ type: RecordCountsDto }) cost_snapshots?: RecordCountsDto;
  @ApiProperty({ type: [RecordErrorDto], description: 'The first record errors' }) errors: RecordErrorDto[];
  @ApiProperty({ example: 1, description: 'All record errors, counted' }) error_count: number;
}

export class IngestionAnswerDto {
  @ApiProperty({
    enum: ['success', 'partial', 'failed'],
    example: 'partial',
    description: 'partial: some records were bad and the rest written',
  })
  status: string;
  @ApiProperty({ example: 'Ingested 29 of 30 jobs: 26 inserted, 2 updated, 1 unchanged, 1 failed.' }) message: string;
  @ApiProperty({ format: 'uuid', example: '5b6f3f0a-7c2d-4a8e-b1f9-0d4e2c7a9b13' }) run_id: string;
  @ApiProperty({ example: false, description: 'true: validated only, nothing written' }) dry_run: boolean;
  @ApiProperty({ type: IngestionResultDto }) result: IngestionResultDto;
}

export class IngestionRunDto {
  @ApiProperty({ format: 'uuid', example: '5b6f3f0a-7c2d-4a8e-b1f9-0d4e2c7a9b13' }) id: string;
  @ApiProperty({ enum: ['jobs', 'costs'], example: 'jobs' }) kind: string;
  @ApiProperty({ example: 'http:ndjson' }) source: string;
  @ApiProperty({
    enum: INGESTION_STATUSES,
    example: 'success',
    description:
      'running until it ends; success, partial or failed by what its records did; aborted: the client closed the ' +
      'connection mid-upload; abandoned: its process stopped or lost the database before recording how it ended',
  })
  status: string;
  @ApiProperty({ example: false }) dry_run: boolean;
  @ApiProperty({ example: false, description: 'Nothing written if any record was bad' }) atomic: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-01-15T06:00:00.000Z' }) started_at: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    example: '2026-01-15T06:00:02.000Z',
    description: 'null while running',
  })
  finished_at: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
    example: {
      records: { inserted: 30, updated: 0, unchanged: 0, failed: 0, superseded: 0, total: 30 },
      teams: { created: 3, existing: 0, total: 3 },
    },
    description:
      '{records: {inserted, updated, unchanged, failed, superseded, total}, teams?: {created, existing, total}}',
  })
  counts: Record<string, Record<string, number>>;
  @ApiProperty({ example: 0 }) error_count: number;
  @ApiProperty({ type: [RecordErrorDto], description: 'The first record errors' }) errors: RecordErrorDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Ingested 30 of 30 jobs: 30 inserted, 0 updated, 0 unchanged, 0 failed. 3 teams created.',
  })
  message: string | null;
}

export class IngestionRunListDto extends PageMeta {
  @ApiProperty({ type: [IngestionRunDto] }) ingestions: IngestionRunDto[];
  @ApiProperty({ example: 12, description: 'Runs matching the query' }) total: number;
}
