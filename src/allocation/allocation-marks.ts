import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MetricsService } from '../health/metrics.service';
import {
  MARK_CAPACITY_CELLS,
  MARK_JOB_INTERVALS,
  MARK_RUN_CELLS,
  MARK_SNAPSHOT_CELLS,
  MARK_STALE_RUNNING_CELLS_UNLESS_HELD,
} from './allocation-marks.sql';
import { MARK_RUN_GAP_DAYS, RUNNING_CHECK_INTERVAL_MS, RUNNING_JOB_STALENESS_SECONDS } from './allocation.thresholds';
import { IntervalOnGpu, markedRuns } from './marked-runs';
import { lockRefresh } from './refresh-session';

/** One version of a job's use of a (provider, gpu_type); `endTime` null while it runs. */
export interface JobInterval {
  /** `jobs.id`. */
  jobUuid: string;
  provider: string;
  gpuType: string;
  startTime: Date | string;
  endTime: Date | string | null;
  /** The job did not exist before this change (it has no job-day rows yet). */
  newJob?: boolean;
}

/** A capacity period of a provider × GPU type, as it was or is: UTC days, `to` null when open-ended. */
export interface CapacityPeriod {
  provider: string;
  gpuType: string;
  /** `YYYY-MM-DD`. */
  from: string;
  to: string | null;
}

export interface SnapshotCell {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  provider: string;
  gpuType: string;
}

/**
 * Records what a refresh must bring up to date. Writers mark inside their own transaction, so a
 * mark commits (or rolls back) with the change it describes.
 */
@Injectable()
export class AllocationMarks {
  private lastRunningCheck = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Marks changed jobs: give the old and the new version of every changed job. With
   * `wholeCells`, the cells they touch are marked for recomputing instead (a bulk load).
   */
  async markJobsChanged(manager: EntityManager, intervals: JobInterval[], { wholeCells = false } = {}): Promise<void> {
    await this.metrics.timeAllocation('mark', () => this.markIntervals(manager, intervals, wholeCells));
  }

  private async markIntervals(manager: EntityManager, intervals: JobInterval[], wholeCells: boolean): Promise<void> {
    if (wholeCells) return this.markRunCells(manager, intervals);
    const unique = new Map<string, [string, string, string, string, string | null, boolean]>();
    let longestMs = 0;
    for (const i of intervals) {
      if (!i.startTime) continue;
      const start = toIso(i.startTime);
      const end = i.endTime === null || i.endTime === undefined ? null : toIso(i.endTime);
      const newJob = i.newJob ?? false;
      if (end !== null) longestMs = Math.max(longestMs, Date.parse(end) - Date.parse(start));
      unique.set(`${i.jobUuid}\u0000${i.provider}\u0000${i.gpuType}\u0000${start}\u0000${end}\u0000${newJob}`, [
        i.jobUuid,
        i.provider,
        i.gpuType,
        start,
        end,
        newJob,
      ]);
    }
    if (!unique.size) return;
    const rows = [...unique.values()];
    const [jobUuids, providers, gpuTypes, starts, ends, newJobs] = [0, 1, 2, 3, 4, 5].map((k) => rows.map((r) => r[k]));
    const longestSeconds = Math.ceil(longestMs / 1000);
    await manager.query(MARK_JOB_INTERVALS, [jobUuids, providers, gpuTypes, starts, ends, longestSeconds, newJobs]);
  }

  /**
   * A bulk load's marks: the runs of days its intervals touch (marked-runs.ts). Repeated
   * intervals need no sorting out here: a run covers them however often they come.
   */
  private async markRunCells(manager: EntityManager, intervals: JobInterval[]): Promise<void> {
    const onGpus: IntervalOnGpu[] = [];
    let longestMs = 0;
    for (const i of intervals) {
      if (!i.startTime) continue;
      const startMs = timeOf(i.startTime);
      const endMs = i.endTime === null || i.endTime === undefined ? null : timeOf(i.endTime);
      if (endMs !== null) longestMs = Math.max(longestMs, endMs - startMs);
      onGpus.push({ provider: i.provider, gpuType: i.gpuType, startMs, endMs });
    }
    if (!onGpus.length) return;
    const runs = markedRuns(onGpus, MARK_RUN_GAP_DAYS);
    await manager.query(MARK_RUN_CELLS, [
      runs.map((r) => r.provider),
      runs.map((r) => r.gpuType),
      runs.map((r) => r.firstDay),
      runs.map((r) => r.lastDay),
      Math.ceil(longestMs / 1000),
    ]);
  }

  /** Marks the cells of changed cost snapshots. */
  async markSnapshotsChanged(manager: EntityManager, cells: SnapshotCell[]): Promise<void> {
    if (!cells.length) return;
    await this.metrics.timeAllocation('mark', () =>
      manager.query(MARK_SNAPSHOT_CELLS, [
        cells.map((c) => c.day),
        cells.map((c) => c.provider),
        cells.map((c) => c.gpuType),
      ]),
    );
  }

  /**
   * Runs a change of capacity in the caller's transaction and marks the cells of the periods it
   * returns (as they were and are). The refresh lock is taken first and held to the commit: no
   * refresh can then price a cell with the old capacity after its marks were taken, and writers
   * of capacity always lock before touching `capacities` (the other order could deadlock on the
   * exclusion constraint).
   */
  async markCapacityChange<T>(
    manager: EntityManager,
    change: () => Promise<{ result: T; periods: CapacityPeriod[] }>,
  ): Promise<T> {
    await lockRefresh(manager);
    const { result, periods } = await change();
    if (periods.length) {
      await this.metrics.timeAllocation('mark', () =>
        manager.query(MARK_CAPACITY_CELLS, [
          periods.map((p) => p.provider),
          periods.map((p) => p.gpuType),
          periods.map((p) => p.from),
          periods.map((p) => p.to),
        ]),
      );
    }
    return result;
  }

  /**
   * Marks the cells of running jobs measured too long ago (at most once a minute per process),
   * so that their usage keeps growing between writes.
   */
  async markStaleRunningJobs(): Promise<void> {
    if (Date.now() - this.lastRunningCheck < RUNNING_CHECK_INTERVAL_MS) return;
    this.lastRunningCheck = Date.now();
    await this.dataSource.query(MARK_STALE_RUNNING_CELLS_UNLESS_HELD, [RUNNING_JOB_STALENESS_SECONDS]);
  }

  /** Whether any cell or job is marked and waits for a refresh. */
  async anyMarked(): Promise<boolean> {
    const [{ dirty }] = await this.dataSource.query<{ dirty: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM allocation_dirty_cells) OR EXISTS (SELECT 1 FROM allocation_dirty_jobs) AS dirty`,
    );
    return dirty;
  }
}

const timeOf = (value: Date | string): number => (value instanceof Date ? value.getTime() : Date.parse(value));

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}
