import { PageMeta } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class RecordErrorDto {
  @ApiProperty({
    description: '0-based position of the record (NDJSON: line number - 1; CSV: data row, header excluded)',
  })
  index: number;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The job_id (or date/provider/gpu_type of a snapshot), when readable',
  })
  job_id: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'start_time' })
  field: string | null;

  @ApiProperty({ example: 'start_time must be an ISO-8601 timestamp with an offset, such as 2026-01-03T09:30:00Z' })
  message: string;
}

export class RecordCountsDto {
  @ApiProperty() inserted: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'Already stored exactly so; not written' }) unchanged: number;
  @ApiProperty({ description: 'Invalid records' }) failed: number;
  @ApiProperty({ description: 'Replaced by a later record with the same key in the same payload' }) superseded: number;
  @ApiProperty({ description: 'Records read' }) total: number;
}

export class TeamCountsDto {
  @ApiProperty() created: number;
  @ApiProperty() existing: number;
  @ApiProperty() total: number;
}

export class IngestionResultDto {
  @ApiPropertyOptional({ type: TeamCountsDto }) teams?: TeamCountsDto;
  @ApiPropertyOptional({ type: RecordCountsDto }) jobs?: RecordCountsDto;
  @ApiPropertyOptional({ type: RecordCountsDto }) cost_snapshots?: RecordCountsDto;
  @ApiProperty({ type: [RecordErrorDto], description: 'The first record errors' }) errors: RecordErrorDto[];
  @ApiProperty({ description: 'All record errors, counted' }) error_count: number;
}

export class IngestionAnswerDto {
  @ApiProperty({ enum: ['success', 'partial', 'failed'] }) status: string;
  @ApiProperty() message: string;
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty() dry_run: boolean;
  @ApiProperty({ type: IngestionResultDto }) result: IngestionResultDto;
}

export class IngestionRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['jobs', 'costs'] }) kind: string;
  @ApiProperty({ example: 'http:ndjson' }) source: string;
  @ApiProperty({ enum: ['running', 'success', 'partial', 'failed'] }) status: string;
  @ApiProperty() dry_run: boolean;
  @ApiProperty() atomic: boolean;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finished_at: string | null;
  @ApiProperty({
    description:
      '{records: {inserted, updated, unchanged, failed, superseded, total}, teams?: {created, existing, total}}',
  })
  counts: Record<string, Record<string, number>>;
  @ApiProperty() error_count: number;
  @ApiProperty({ type: [RecordErrorDto] }) errors: RecordErrorDto[];
  @ApiProperty({ nullable: true, type: String }) message: string | null;
}

export class IngestionRunListDto extends PageMeta {
  @ApiProperty({ type: [IngestionRunDto] }) ingestions: IngestionRunDto[];
  @ApiProperty() total: number;
}
