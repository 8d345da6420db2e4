import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { decimalTransformer } from '../common/decimal.transformer';
import { Team } from '../teams/team.entity';
import type { JobStatus } from './job-status';

@Entity({ name: 'jobs' })
@Unique('UQ_jobs_job_id', ['jobId'])
@Check('CHK_jobs_gpu_count_positive', `"gpu_count" > 0`)
@Check('CHK_jobs_end_after_start', `"end_time" IS NULL OR "end_time" >= "start_time"`)
@Check('CHK_jobs_labels_object', `jsonb_typeof("labels") = 'object'`)
@Check('CHK_jobs_gpu_utilization', `"gpu_utilization" >= 0 AND "gpu_utilization" <= 1`)
@Check('CHK_jobs_status', `"status" IN ('queued','running','completed','failed','cancelled')`)
// Listing indexes: each filter, then the listing order (start_time, job_id). See migration JobsListingIndexes.
@Index('idx_jobs_start_time_job_id', ['startTime', 'jobId'])
@Index('idx_jobs_team_start_time', ['teamId', 'startTime', 'jobId'])
// Statuses other than the common `completed` (migration StatusIndexWithoutCompleted).
@Index('idx_jobs_status_start_time', ['status', 'startTime', 'jobId'], { where: `"status" <> 'completed'` })
@Index('idx_jobs_provider_gpu_start_time', ['provider', 'gpuType', 'startTime', 'jobId'])
@Index('idx_jobs_model_start_time', ['modelName', 'startTime', 'jobId'])
// Label filters: a GIN index of the labels (migration JobLabelsAndUtilization), which TypeORM cannot describe.
@Index('idx_jobs_labels', { synchronize: false })
// Running jobs alone, for the allocation refresh (migration AllocationFromJobDays).
@Index('idx_jobs_running_start_time', ['startTime'], { where: '"end_time" IS NULL' })
export class Job {
  /** Time-ordered, so new jobs append to the indexes keyed by it (migration CheaperNewJobs). */
  @PrimaryColumn({ type: 'uuid', default: () => 'heliox_uuid_v7()', primaryKeyConstraintName: 'PK_jobs' })
  id: string;

  /** The caller's own identifier of the job; ingestion upserts by it. */
  @Column({ name: 'job_id', type: 'text' })
  jobId: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @ManyToOne(() => Team, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_jobs_team' })
  team?: Team;

  @Column({ name: 'model_name', type: 'text' })
  modelName: string;

  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'gpu_type', type: 'text' })
  gpuType: string;

  /** Fractions are MIG slices or shared GPUs. */
  @Column({ name: 'gpu_count', type: 'numeric', default: 1, transformer: decimalTransformer })
  gpuCount: number;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime: Date;

  /** null while the job runs. */
  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime: Date | null;

  @Column({ type: 'text' })
  status: JobStatus;

  /** The job's own key → value pairs (docs/allocation.md, "Labels"). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels: Record<string, string>;

  /** Average share of its GPUs' time the job kept them busy, 0 to 1; null: not reported. */
  @Column({ name: 'gpu_utilization', type: 'numeric', nullable: true })
  gpuUtilization: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
