import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env } from '../config/env';
import { AllocationMarks } from './allocation-marks';
import { AllocationRefresh } from './allocation-refresh';
import { jobDayCost, jobDayIdleShare, jobDayMeasuredCost, jobDayUsedCost, sameCell } from './allocation.sql';
import { notArchived } from './archived-days.sql';

/**
 * Reports join the allocation tables in their own SQL; these fragments are how they price a
 * job-day row (and its share of its cell's idle) and match a cell exactly as the refresh does,
 * to the last digit.
 */
export { jobDayCost, jobDayIdleShare, jobDayMeasuredCost, jobDayUsedCost, sameCell };

/** A condition on a `day` column: the day is not archived (its job-days and day sums are there). */
export const UNARCHIVED_DAY = notArchived('day');

export interface JobDailyCost {
  date: string;
  gpu_hours: number;
  cost_usd: number;
}

/**
 * One job's day in its cell, as the reports price it (exact decimals as text): what `GET
 * /jobs/:job_id/cost/explain` shows. `cellAllocatedUsd` is the sum of the cell's job-day costs,
 * the very sum the reports add up.
 */
export interface JobDayInCell {
  gpuHours: string;
  costUsd: string;
  /** The job-day's cost at the share rate: its cost plus its share of the cell's idle. */
  shareCostUsd: string;
  snapshotCostUsd: string | null;
  cellGpuHours: string;
  cellJobCount: number;
  rate: string;
  capacityId: string | null;
  capacityGpuHours: string | null;
  ownerTeamId: string | null;
  ownerTeamName: string | null;
  cellAllocatedUsd: string;
  cellIdleUsd: string;
  /** The job-day's cost × its job's utilization, as the reports sum it; null when the job does not report it. */
  usedCostUsd: string | null;
}

/** What other modules read of the allocation, always after bringing it up to date. */
@Injectable()
export class AllocationReads {
  private readonly refreshWaitMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly marks: AllocationMarks,
    private readonly refresh: AllocationRefresh,
    config: ConfigService<Env, true>,
  ) {
    this.refreshWaitMs = config.get('READ_REFRESH_WAIT_SECONDS', { infer: true }) * 1000;
  }

  /**
   * Brings the allocation up to date before a read: re-measures stale cells of running jobs (at
   * most once a minute per process) and refreshes when any cell is marked, waiting at most
   * READ_REFRESH_WAIT_SECONDS for it (a 503 with Retry-After beyond).
   */
  async ensureFresh(): Promise<void> {
    await this.marks.markStaleRunningJobs();
    if (await this.marks.anyMarked()) await this.refresh.refreshForRead(this.refreshWaitMs);
  }

  /** A job's usage and cost per UTC day (`jobs.id`). */
  async dailyCostsOfJob(jobUuid: string): Promise<JobDailyCost[]> {
    await this.ensureFresh();
    return this.dataSource.query<JobDailyCost[]>(
      // The primary key (day, provider, gpu_type, job_uuid) over the job's own days and GPU type.
      `SELECT to_char(a.day, 'YYYY-MM-DD') AS date, round(a.gpu_hours, 4)::float8 AS gpu_hours,
              round(${jobDayCost('a.gpu_hours', 'c.rate')}, 2)::float8 AS cost_usd
       FROM jobs j
       JOIN job_day_allocations a
         ON a.day BETWEEN (j.start_time AT TIME ZONE 'UTC')::date AND (coalesce(j.end_time, now()) AT TIME ZONE 'UTC')::date
        AND a.provider = j.provider AND a.gpu_type = j.gpu_type AND a.job_uuid = j.id
       JOIN allocation_cells c ON ${sameCell('c', 'a')}
       WHERE j.id = $1
       ORDER BY a.day`,
      [jobUuid],
    );
  }

  /**
   * A job's usage and cost on one UTC day, with its cell; null when it used no GPU that day.
   * `job`: its `jobs.id`, provider and GPU type (the job-day key).
   */
  async jobDayInCell(
    job: { id: string; provider: string; gpuType: string },
    day: string,
  ): Promise<JobDayInCell | null> {
    await this.ensureFresh();
    const [row] = await this.dataSource.query<JobDayInCell[]>(
      `SELECT a.gpu_hours::text AS "gpuHours", ${jobDayCost('a.gpu_hours', 'c.rate')}::text AS "costUsd",
              ${jobDayCost('a.gpu_hours', 'c.share_rate')}::text AS "shareCostUsd",
              CASE WHEN a.gpu_utilization IS NOT NULL
                THEN ${jobDayUsedCost('a.gpu_hours', 'c.rate', 'a.gpu_utilization')}::text END AS "usedCostUsd",
              c.snapshot_cost_usd::text AS "snapshotCostUsd", c.gpu_hours::text AS "cellGpuHours",
              c.job_count AS "cellJobCount", c.rate::text AS rate, c.capacity_id AS "capacityId",
              c.capacity_gpu_hours::text AS "capacityGpuHours", c.owner_team_id AS "ownerTeamId",
              o.name AS "ownerTeamName", c.unallocated_usd::text AS "cellIdleUsd",
              (SELECT coalesce(sum(${jobDayCost('b.gpu_hours', 'c.rate')}), 0) FROM job_day_allocations b
               WHERE ${sameCell('b', 'c')})::text AS "cellAllocatedUsd"
       FROM job_day_allocations a
       JOIN allocation_cells c ON ${sameCell('c', 'a')}
       LEFT JOIN teams o ON o.id = c.owner_team_id
       WHERE a.day = $2::date AND a.provider = $3 AND a.gpu_type = $4 AND a.job_uuid = $1`,
      [job.id, day, job.provider, job.gpuType],
    );
    return row ?? null;
  }
}
