import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type IngestionKind = 'jobs' | 'costs';
/**
 * `running` until the run ends; then `success`, `partial` or `failed` (what the records did),
 * `aborted` (the client went away mid-upload) or `abandoned` (its process died or lost the
 * database, and a sweep closed it: see IngestionRunsService).
 */
export const INGESTION_STATUSES = ['running', 'success', 'partial', 'failed', 'aborted', 'abandoned'] as const;
export type IngestionStatus = (typeof INGESTION_STATUSES)[number];

export interface IngestionRecordError {
  index: number;
  job_id: string | null;
  field: string | null;
  message: string;
}

/** One ingestion: what came in, what it did, and its first record errors. */
@Entity({ name: 'ingestion_runs' })
@Check('CHK_ingestion_runs_kind', `"kind" IN ('jobs','costs')`)
@Check('CHK_ingestion_runs_status', `"status" IN ('running','success','partial','failed','aborted','abandoned')`)
@Index('idx_ingestion_runs_running_heartbeat', ['heartbeatAt'], { where: `"status" = 'running'` })
export class IngestionRun {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_ingestion_runs' })
  id: string;

  @Column({ type: 'text' })
  kind: IngestionKind;

  /** Where the data came from: `http:ndjson`, `http:json`, `mock`, `cli:<file>`, … */
  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text' })
  status: IngestionStatus;

  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun: boolean;

  @Column({ type: 'boolean', default: false })
  atomic: boolean;

  @Index('idx_ingestion_runs_started_at')
  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** `{teams: {created, existing, total}, records: {inserted, updated, unchanged, failed, total}}` */
  @Column({ type: 'jsonb', default: {} })
  counts: Record<string, Record<string, number>>;

  @Column({ name: 'error_count', type: 'integer', default: 0 })
  errorCount: number;

  /** The first record errors (capped); `error_count` has the total. */
  @Column({ type: 'jsonb', default: [] })
  errors: IngestionRecordError[];

  @Column({ type: 'text', nullable: true })
  message: string | null;

  /** The process that runs it (`host:pid:boot id`); null for runs older than the column. */
  @Column({ type: 'text', nullable: true })
  owner: string | null;

  /** Last time the owner said the run was alive; a sweep abandons runs whose lease lapsed. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;
}
