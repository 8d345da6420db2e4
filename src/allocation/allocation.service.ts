import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllocationMarks, CapacityPeriod, JobInterval, SnapshotCell } from './allocation-marks';
import { AllocationReads, JobDailyCost, JobDayInCell } from './allocation-reads';
import { AllocationRebuild } from './allocation-rebuild';
import { AllocationChangeListener, AllocationRefresh } from './allocation-refresh';

export type { CapacityPeriod, JobInterval, SnapshotCell } from './allocation-marks';
export type { JobDailyCost, JobDayInCell } from './allocation-reads';
export type { AllocationChangeListener } from './allocation-refresh';
export { CELLS_PATH_INTERVALS } from './allocation.thresholds';

/**
 * What other modules may ask of the allocation. It keeps the allocation tables equal to DESIGN
 * section 4 applied to `jobs` and `cost_snapshots`: writers mark the jobs and snapshots they
 * change; a refresh replaces the changed jobs' rows and moves the sums by the difference, or
 * recomputes whole cells after a bulk load or for a rebuild (docs/allocation.md).
 */
@Injectable()
export class AllocationService {
  constructor(
    private readonly marks: AllocationMarks,
    private readonly refresh: AllocationRefresh,
    private readonly rebuilds: AllocationRebuild,
    private readonly reads: AllocationReads,
  ) {}

  /**
   * Marks changed jobs, in the writer's transaction: give the old and the new version of every
   * changed job. With `wholeCells`, the cells they touch are marked for recomputing instead (a
   * bulk load).
   */
  markJobsChanged(manager: EntityManager, intervals: JobInterval[], options?: { wholeCells?: boolean }): Promise<void> {
    return this.marks.markJobsChanged(manager, intervals, options);
  }

  /** Marks the cells of changed cost snapshots, in the writer's transaction. */
  markSnapshotsChanged(manager: EntityManager, cells: SnapshotCell[]): Promise<void> {
    return this.marks.markSnapshotsChanged(manager, cells);
  }

  /**
   * Runs `change` (a write of `capacities` returning the periods it changed, before and after)
   * in the caller's transaction, then re-prices the cells of those periods in the same
   * transaction, through the incremental refresh. The refresh lock is taken before `change` runs.
   */
  async changeCapacity<T>(
    manager: EntityManager,
    change: () => Promise<{ result: T; periods: CapacityPeriod[] }>,
  ): Promise<T> {
    const result = await this.marks.markCapacityChange(manager, change);
    await this.refresh.refreshDirty(manager);
    return result;
  }

  /**
   * Recomputes every marked cell and clears the marks: inside the caller's transaction when a
   * manager is given, else in a transaction of its own.
   */
  refreshDirty(manager?: EntityManager): Promise<{ cells: number }> {
    return this.refresh.refreshDirty(manager);
  }

  /**
   * Tells the listener, inside every refresh's transaction, which days that refresh changed (the
   * marks of a listener commit with the allocation, or not at all).
   */
  onChanged(listener: AllocationChangeListener): void {
    this.refresh.onChanged(listener);
  }

  /** Brings the allocation up to date before a read (running jobs, pending marks). */
  ensureFresh(): Promise<void> {
    return this.reads.ensureFresh();
  }

  /** Empties the allocation tables and recomputes every cell from the raw tables (repairs). */
  rebuild(): Promise<{ cells: number }> {
    return this.rebuilds.rebuild();
  }

  /** A job's usage and cost per UTC day (`jobs.id`). */
  dailyCostsOfJob(jobUuid: string): Promise<JobDailyCost[]> {
    return this.reads.dailyCostsOfJob(jobUuid);
  }

  /** A job's usage and cost on one UTC day, with its cell (null: it used no GPU that day). */
  jobDayInCell(job: { id: string; provider: string; gpuType: string }, day: string): Promise<JobDayInCell | null> {
    return this.reads.jobDayInCell(job, day);
  }
}
