import { Check, Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ArchivedMonth } from './archived-month.entity';

/**
 * The maintained result of cost allocation (docs/allocation.md). Every table here is derived
 * from `jobs` and `cost_snapshots` and can be rebuilt from them (`npm run allocation:rebuild`).
 * Money and GPU-hours are unconstrained `numeric`, read as strings and summed in SQL.
 */

/** A (day, provider, gpu_type) cell, or a run of days of them, whose inputs changed since last computed. */
@Entity({ name: 'allocation_dirty_cells' })
@Check('CHK_allocation_dirty_cells_run', `"last_day" >= "day"`)
class AllocationDirtyCell {
  // Append-only (no unique key): a mark made in a transaction that is still open must survive a
  // concurrent refresh that cannot see it, so marks are never merged with committed ones.
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_allocation_dirty_cells' })
  id: string;

  @Column({ type: 'date' })
  day: string;

  /** The last day of a run of days marked at once (a bulk load's batch); null: `day` alone. */
  @Column({ name: 'last_day', type: 'date', nullable: true })
  lastDay: string | null;

  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'gpu_type', type: 'text' })
  gpuType: string;

  /** Recompute the cell from `jobs` (a rebuild, a repair); false: only its snapshot changed. */
  @Column({ type: 'boolean', default: true })
  recompute: boolean;

  @Column({ name: 'marked_at', type: 'timestamptz', default: () => 'now()' })
  markedAt: Date;
}

/**
 * A changed job: one row for each interval it had or has (its old and its new version). A refresh
 * replaces the job-day rows of every interval marked for the job.
 */
@Entity({ name: 'allocation_dirty_jobs' })
class AllocationDirtyJob {
  // Append-only, like the cell marks, for the same reason.
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_allocation_dirty_jobs' })
  id: string;

  /** `jobs.id`. */
  @Column({ name: 'job_uuid', type: 'uuid' })
  jobUuid: string;

  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'gpu_type', type: 'text' })
  gpuType: string;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime: Date;

  /** null: the version was running. */
  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime: Date | null;

  /** The job did not exist before this change: it has no job-day rows for a refresh to remove. */
  @Column({ name: 'new_job', type: 'boolean', default: false })
  newJob: boolean;

  @Column({ name: 'marked_at', type: 'timestamptz', default: () => 'now()' })
  markedAt: Date;
}

/** When running jobs were last measured up to the present (one row). */
@Entity({ name: 'allocation_running_checks' })
@Check('CHK_allocation_running_checks_single_row', `"id"`)
class AllocationRunningCheck {
  @PrimaryColumn({ type: 'boolean', primaryKeyConstraintName: 'PK_allocation_running_checks' })
  id: boolean;

  @Column({ name: 'measured_at', type: 'timestamptz' })
  measuredAt: Date;
}

/** One (day, provider, gpu_type) cell: its snapshot, its usage, and where the money went. */
@Entity({ name: 'allocation_cells' })
class AllocationCell {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_allocation_cells' })
  day: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_allocation_cells' })
  provider: string;

  @PrimaryColumn({ name: 'gpu_type', type: 'text', primaryKeyConstraintName: 'PK_allocation_cells' })
  gpuType: string;

  /** null: no snapshot for the cell, its usage is unpriced. */
  @Column({ name: 'snapshot_cost_usd', type: 'numeric', precision: 14, scale: 4, nullable: true })
  snapshotCostUsd: string | null;

  @Column({ name: 'gpu_hours', type: 'numeric' })
  gpuHours: string;

  @Column({ name: 'allocated_usd', type: 'numeric' })
  allocatedUsd: string;

  @Column({ name: 'unallocated_usd', type: 'numeric' })
  unallocatedUsd: string;

  @Column({ name: 'unpriced_gpu_hours', type: 'numeric' })
  unpricedGpuHours: string;

  @Column({ name: 'job_count', type: 'integer' })
  jobCount: number;

  /**
   * What a GPU-hour costs (0 without a snapshot or usage): snapshot ÷ the greater of the GPU-hours
   * used and the capacity's GPU-hours. A job-day row costs round(gpu_hours × rate, 12).
   */
  @Column({ type: 'numeric' })
  rate: string;

  /**
   * Snapshot ÷ GPU-hours used (0 without a snapshot or usage): the rate with the cell's idle
   * shared among its jobs (`idle=share`); equal to `rate` in a cell without capacity.
   */
  @Column({ name: 'share_rate', type: 'numeric' })
  shareRate: string;

  /** The capacity period covering the cell (capacities.id); null: none. */
  @Column({ name: 'capacity_id', type: 'uuid', nullable: true })
  capacityId: string | null;

  /** That capacity's GPU-hours in the day (gpu_count × 24); null: no capacity. */
  @Column({ name: 'capacity_gpu_hours', type: 'numeric', nullable: true })
  capacityGpuHours: string | null;

  /** That capacity's owner team, charged the cell's idle under `idle=owner`. */
  @Column({ name: 'owner_team_id', type: 'uuid', nullable: true })
  ownerTeamId: string | null;

  /** When the cell was last written. */
  @Column({ name: 'refreshed_at', type: 'timestamptz' })
  refreshedAt: Date;
}

/** What one job used on one UTC day; its cost follows from its cell's rate. */
@Entity({ name: 'job_day_allocations' })
class JobDayAllocation {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_job_day_allocations' })
  day: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_job_day_allocations' })
  provider: string;

  @PrimaryColumn({ name: 'gpu_type', type: 'text', primaryKeyConstraintName: 'PK_job_day_allocations' })
  gpuType: string;

  /** `jobs.id` (the uuid, not the caller's job_id). */
  @PrimaryColumn({ name: 'job_uuid', type: 'uuid', primaryKeyConstraintName: 'PK_job_day_allocations' })
  jobUuid: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'model_name', type: 'text' })
  modelName: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'gpu_hours', type: 'numeric' })
  gpuHours: string;

  /** This is the job's first day of usage (the UTC day it started). */
  @Column({ name: 'first_day', type: 'boolean' })
  firstDay: boolean;

  /** The job's labels when the row was written (a refresh removes the row at what it counted for). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels: Record<string, string>;

  /** The job's GPU utilization (0–1); null: not reported. */
  @Column({ name: 'gpu_utilization', type: 'numeric', nullable: true })
  gpuUtilization: string | null;
}

/**
 * An upper bound of the longest finished job (end − start), recorded by the writers whenever a
 * batch holds a longer one than any recorded so far. A refresh of days D… reads only the jobs
 * that started after D minus the bound. Rows are only ever added (two writers may each add one),
 * and the bound is their maximum.
 */
@Entity({ name: 'allocation_span_bounds' })
class AllocationSpanBound {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_allocation_span_bounds' })
  id: string;

  @Column({ name: 'longest_seconds', type: 'double precision' })
  longestSeconds: number;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}

/**
 * The sums the day tables keep per day and group. `job_count` counts the jobs with usage that
 * day, `jobs_started` those whose first day of usage it is: a job's days are contiguous, so the
 * distinct jobs of a range are `job_count` of its first day plus `jobs_started` of the days after.
 */
abstract class DaySums {
  @Column({ name: 'gpu_hours', type: 'numeric' })
  gpuHours: string;

  @Column({ name: 'cost_usd', type: 'numeric' })
  costUsd: string;

  @Column({ name: 'unpriced_gpu_hours', type: 'numeric' })
  unpricedGpuHours: string;

  @Column({ name: 'job_count', type: 'integer' })
  jobCount: number;

  @Column({ name: 'jobs_started', type: 'integer' })
  jobsStarted: number;

  /** Σ of what the rows' share of their cell's idle adds to their cost (`idle=share`); 0 without capacity. */
  @Column({ name: 'idle_share_usd', type: 'numeric', default: 0 })
  idleShareUsd: string;

  /** Σ cost of the rows whose job reports its GPU utilization. */
  @Column({ name: 'measured_cost_usd', type: 'numeric', default: 0 })
  measuredCostUsd: string;

  /** Σ of those rows' cost × utilization (each rounded like a cost, to 10⁻¹² $). */
  @Column({ name: 'used_cost_usd', type: 'numeric', default: 0 })
  usedCostUsd: string;
}

/** Job-day rows summed by day × team. */
@Entity({ name: 'allocation_team_days' })
class AllocationTeamDay extends DaySums {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_allocation_team_days' })
  day: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid', primaryKeyConstraintName: 'PK_allocation_team_days' })
  teamId: string;
}

/** Job-day rows summed by day × model. */
@Entity({ name: 'allocation_model_days' })
class AllocationModelDay extends DaySums {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_allocation_model_days' })
  day: string;

  @PrimaryColumn({ name: 'model_name', type: 'text', primaryKeyConstraintName: 'PK_allocation_model_days' })
  modelName: string;
}

/** Job-day rows summed by day × team × model (`group_by=team,model`, members by model). */
@Entity({ name: 'allocation_team_model_days' })
class AllocationTeamModelDay extends DaySums {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_allocation_team_model_days' })
  day: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid', primaryKeyConstraintName: 'PK_allocation_team_model_days' })
  teamId: string;

  @PrimaryColumn({ name: 'model_name', type: 'text', primaryKeyConstraintName: 'PK_allocation_team_model_days' })
  modelName: string;
}

/**
 * The day × team × model rows summed by calendar month (`month`: its first day): reports by team
 * and model over many days read these for the months they mostly cover.
 */
@Entity({ name: 'allocation_team_model_months' })
class AllocationTeamModelMonth extends DaySums {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_allocation_team_model_months' })
  month: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid', primaryKeyConstraintName: 'PK_allocation_team_model_months' })
  teamId: string;

  @PrimaryColumn({ name: 'model_name', type: 'text', primaryKeyConstraintName: 'PK_allocation_team_model_months' })
  modelName: string;
}

/**
 * Job-day rows summed by label key × day × team × label value: one row for each label the
 * group's jobs carry. Jobs without a key are the day × team row less the key's rows.
 */
@Entity({ name: 'allocation_label_days' })
class AllocationLabelDay extends DaySums {
  @PrimaryColumn({ name: 'label_key', type: 'text', primaryKeyConstraintName: 'PK_allocation_label_days' })
  labelKey: string;

  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_allocation_label_days' })
  day: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid', primaryKeyConstraintName: 'PK_allocation_label_days' })
  teamId: string;

  @PrimaryColumn({ name: 'label_value', type: 'text', primaryKeyConstraintName: 'PK_allocation_label_days' })
  labelValue: string;
}

export const ALLOCATION_ENTITIES = [
  AllocationDirtyCell,
  AllocationDirtyJob,
  AllocationRunningCheck,
  AllocationCell,
  JobDayAllocation,
  AllocationSpanBound,
  AllocationTeamDay,
  AllocationModelDay,
  AllocationTeamModelDay,
  AllocationTeamModelMonth,
  AllocationLabelDay,
  ArchivedMonth,
];
