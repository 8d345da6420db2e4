import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { addDays, monthAfter } from '../common/calendar';
import { DomainError } from '../common/errors/domain-error';
import type { CapacityPeriod, SnapshotCell } from './allocation-marks';
import { MARK_STALE_RUNNING_CELLS } from './allocation-marks.sql';
import { AllocationRefresh } from './allocation-refresh';
import { archivedUsageChange, JobUsageChange } from './archived-days';
import {
  ARCHIVE_LOCK_KEY,
  ARCHIVED_BEFORE,
  ARCHIVED_CELL_REPRICED,
  ARCHIVED_MONTHS_WITHIN,
  CLOSE_MONTHS,
  DELETE_DAY,
  MONTHS_TO_ARCHIVE,
  UNFINISHED_MONTHS,
} from './archived-days.sql';
import { lockRefresh } from './refresh-session';

/** The archived months a window overlaps, and the first day that is not archived. */
export interface ArchivedWindow {
  /** `YYYY-MM`, ascending. */
  months: string[];
  /** `YYYY-MM-DD`: the days before it are archived. */
  before: string;
}

/** A month an archive run works on, with what has been done to it so far. */
export interface MonthInProgress {
  /** `YYYY-MM`. */
  month: string;
  /** The export holding its rows; null until it is complete. */
  file: string | null;
  jobDayRows: number;
  daySumRows: number;
}

/** A month a run would archive: whether its rows are exported already, and the job-day rows it holds. */
export interface MonthToArchive {
  month: string;
  exported: boolean;
  jobDayRows: number;
}

const monthStart = (month: string) => `${month}-01`;

/**
 * Archived months (docs/allocation.md, "Archiving old months"): closing them, deleting their
 * job-days and day sums a day at a time, and keeping writers and reports from treating their
 * days as live. Everything here takes the refresh lock, so it never races a refresh.
 */
@Injectable()
export class AllocationArchive {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly refresh: AllocationRefresh,
  ) {}

  /** The archived months overlapping [start, end]; null when none does. */
  async within(start: string, end: string): Promise<ArchivedWindow | null> {
    const [{ months, before }] = await this.dataSource.query<{ months: string[] | null; before: string }[]>(
      ARCHIVED_MONTHS_WITHIN,
      [start, end],
    );
    return months ? { months, before } : null;
  }

  /** What a run archiving the months before `before` (`YYYY-MM`) would work on; nothing is written. */
  plan(before: string): Promise<MonthToArchive[]> {
    return this.dataSource.query<MonthToArchive[]>(MONTHS_TO_ARCHIVE, [monthStart(before)]);
  }

  /**
   * Closes the months before `before` (`YYYY-MM`) and returns those whose archiving has not
   * finished (all of them on a first run; none when they were archived already). Running jobs
   * are measured up to now and every pending mark is refreshed first, in the same transaction
   * and under the refresh lock, so the closed days hold their final allocation. Writers checking
   * against archived days wait meanwhile (a few statements).
   */
  async close(before: string): Promise<MonthInProgress[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [ARCHIVE_LOCK_KEY]);
      await lockRefresh(m);
      await m.query(MARK_STALE_RUNNING_CELLS, [0]);
      await this.refresh.timed('refresh', () => this.refresh.refreshIn(m));
      await m.query(CLOSE_MONTHS, [monthStart(before)]);
      return m.query<MonthInProgress[]>(UNFINISHED_MONTHS, [monthStart(before)]);
    });
  }

  /** Records that the months' rows are all in `file` (written, synced and renamed). */
  async exported(months: string[], file: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE archived_months SET file = $2, exported_at = now() WHERE month = ANY($1::date[])`,
      [months.map(monthStart), file],
    );
  }

  /**
   * Deletes the month's job-days and day sums, one day per short transaction (under the refresh
   * lock, so a refresh waits at most one day's deletion), and marks the month archived. Readers
   * are never blocked: they read the rows as of their own snapshot, and the reports already
   * answer the month from its cells since it closed.
   */
  async empty(month: string): Promise<{ jobDayRows: number; daySumRows: number }> {
    const total = { jobDayRows: 0, daySumRows: 0 };
    for (let day = monthStart(month); day < monthAfter(month); day = addDays(day, 1)) {
      await this.dataSource.transaction(async (m) => {
        await lockRefresh(m);
        const [{ n: jobDays }] = await m.query<{ n: number }[]>(DELETE_DAY.jobDays, [day]);
        const [{ n: daySums }] = await m.query<{ n: number }[]>(DELETE_DAY.daySums, [day]);
        if (jobDays || daySums) await m.query(DELETE_DAY.counted, [day, jobDays, daySums]);
        total.jobDayRows += jobDays;
        total.daySumRows += daySums;
      });
    }
    await this.dataSource.query(`UPDATE archived_months SET archived_at = now() WHERE month = $1::date`, [
      monthStart(month),
    ]);
    return total;
  }

  /**
   * Refuses, in the writer's transaction, job changes that would move usage on archived days.
   * The shared archive lock keeps a month from closing between this check and the commit.
   */
  async refuseJobChanges(manager: EntityManager, changes: JobUsageChange[]): Promise<void> {
    const before = await this.archivedBefore(manager, changes.length > 0);
    if (!before) return;
    for (const change of changes) {
      const field = archivedUsageChange(change, before);
      if (field) {
        const message =
          `job ${change.jobId}: this ${field} changes its usage before ${before}, in archived months; ` +
          `archived months are closed (their cost is in the archive file and their cells stay as archived)`;
        throw new DomainError(HttpStatus.CONFLICT, message, [{ job_id: change.jobId, field, message }]);
      }
    }
  }

  /** Refuses, in the writer's transaction, changed snapshots of archived days. */
  async refuseSnapshotChanges(manager: EntityManager, cells: SnapshotCell[]): Promise<void> {
    const before = await this.archivedBefore(manager, cells.length > 0);
    const archived = before ? cells.find((c) => c.day < before) : undefined;
    if (archived) {
      const message =
        `the cost snapshot of ${archived.provider}/${archived.gpuType} on ${archived.day} would change, but the ` +
        `days before ${before} are archived; archived months are closed`;
      throw new DomainError(HttpStatus.CONFLICT, message, [{ field: 'entry_date', message }]);
    }
  }

  /**
   * Refuses a capacity change that would re-price a cell of an archived day (its capacity, GPUs
   * or owner there). The caller holds the refresh lock, which closing months takes too.
   */
  async refuseCapacityChange(manager: EntityManager, periods: CapacityPeriod[]): Promise<void> {
    if (!periods.length) return;
    const [cell] = await manager.query<{ day: string; provider: string; gpu_type: string }[]>(ARCHIVED_CELL_REPRICED, [
      periods.map((p) => p.provider),
      periods.map((p) => p.gpuType),
      periods.map((p) => p.from),
      periods.map((p) => p.to),
    ]);
    if (cell) {
      const message =
        `this change would re-price ${cell.provider}/${cell.gpu_type} on ${cell.day}, an archived day; ` +
        `archived months are closed: keep the period as it is on archived days (end it, and start a new one after them)`;
      throw new DomainError(HttpStatus.CONFLICT, message, [{ field: 'from', message }]);
    }
  }

  /** The first unarchived day as a writer sees it, holding the archive lock shared; null when nothing is archived. */
  private async archivedBefore(manager: EntityManager, needed: boolean): Promise<string | null> {
    if (!needed) return null;
    await manager.query(`SELECT pg_advisory_xact_lock_shared($1)`, [ARCHIVE_LOCK_KEY]);
    // A statement of its own: one that waited for the lock would read as of before the wait.
    const [{ before }] = await manager.query<{ before: string | null }[]>(
      `SELECT to_char(${ARCHIVED_BEFORE}, 'YYYY-MM-DD') AS before`,
    );
    return before;
  }
}
