import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllocationArchive, ArchivedWindow, MonthInProgress, MonthToArchive } from './allocation-archive';
import { AllocationMarks, CapacityPeriod, JobInterval, SnapshotCell } from './allocation-marks';
import { AllocationReads, JobDailyCost, JobDayInCell } from './allocation-reads';
import { AllocationRebuild } from './allocation-rebuild';
import { AllocationChangeListener, AllocationRefresh } from './allocation-refresh';
import type { JobUsageChange } from './archived-days';

export type { CapacityPeriod, JobInterval, SnapshotCell } from './allocation-marks';
export type { JobDailyCost, JobDayInCell } from './allocation-reads';
export type { AllocationChangeListener } from './allocation-refresh';
export type { ArchivedWindow, MonthInProgress, MonthToArchive } from './allocation-archive';
export type { JobUsageChange } from './archived-days';
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
    private readonly archive: AllocationArchive,
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
   * A change that would re-price an archived day is refused (409).
   */
  async changeCapacity<T>(
    manager: EntityManager,
    change: () => Promise<{ result: T; periods: CapacityPeriod[] }>,
  ): Promise<T> {
    const result = await this.marks.markCapacityChange(manager, async () => {
      const changed = await change();
      await this.archive.refuseCapacityChange(manager, changed.periods);
      return changed;
    });
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

  /**
   * Refuses (409, in the writer's transaction) job changes that would move usage on archived
   * days: archived months are closed. Give every inserted or changed job as it was and will be.
   */
  refuseArchivedJobChanges(manager: EntityManager, changes: JobUsageChange[]): Promise<void> {
    return this.archive.refuseJobChanges(manager, changes);
  }

  /** Refuses (409, in the writer's transaction) changed cost snapshots of archived days. */
  refuseArchivedSnapshotChanges(manager: EntityManager, cells: SnapshotCell[]): Promise<void> {
    return this.archive.refuseSnapshotChanges(manager, cells);
  }

  /** The archived months overlapping [start, end] (`YYYY-MM-DD`); null when none does. */
  archivedWithin(start: string, end: string): Promise<ArchivedWindow | null> {
    return this.archive.within(start, end);
  }

  /** The months archiving before `before` (`YYYY-MM`) would work on, with their job-day rows. */
  planArchive(before: string): Promise<MonthToArchive[]> {
    return this.archive.plan(before);
  }

  /**
   * Closes the months before `before` (`YYYY-MM`) after a last refresh, and returns those whose
   * archiving has not finished. From then on refreshes, rebuilds and writers leave their days alone.
   */
  closeMonths(before: string): Promise<MonthInProgress[]> {
    return this.archive.close(before);
  }

  /** Records that the months' FOCUS rows are all in `file`. */
  recordArchiveFile(months: string[], file: string): Promise<void> {
    return this.archive.exported(months, file);
  }

  /** Deletes a closed month's job-days and day sums, a day per transaction, and marks it archived. */
  emptyArchivedMonth(month: string): Promise<{ jobDayRows: number; daySumRows: number }> {
    return this.archive.empty(month);
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
