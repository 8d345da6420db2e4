import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllocationMarks } from './allocation-marks';
import { AllocationRefresh } from './allocation-refresh';
import { jobDayCost, jobDayIdleShare, sameCell } from './allocation.sql';

/**
 * Reports join the allocation tables in their own SQL; these fragments are how they price a
 * job-day row (and its share of its cell's idle) and match a cell exactly as the refresh does,
 * to the last digit.
 */
export { jobDayCost, jobDayIdleShare, sameCell };

export interface JobDailyCost {
  date: string;
  gpu_hours: number;
  cost_usd: number;
}

/** What other modules read of the allocation, always after bringing it up to date. */
@Injectable()
export class AllocationReads {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly marks: AllocationMarks,
    private readonly refresh: AllocationRefresh,
  ) {}

  /**
   * Brings the allocation up to date before a read: re-measures stale cells of running jobs (at
   * most once a minute per process) and refreshes when any cell is marked.
   */
  async ensureFresh(): Promise<void> {
    await this.marks.markStaleRunningJobs();
    if (await this.marks.anyMarked()) await this.refresh.refreshDirty();
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
}
