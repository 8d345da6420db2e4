import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AllocationStep, MetricsService } from '../health/metrics.service';
import {
  ADD_JOB_DAYS,
  APPLY_DAY_DELTAS,
  CELLS_OF_REFRESH_JOBS,
  CLAIM_DIRTY_CELLS,
  CLAIM_DIRTY_JOBS,
  CLEAR_REFRESH_CELLS,
  CREATE_WORK_TABLES,
  DERIVED_TABLES,
  DROP_EMPTY_CELLS,
  EMPTY_WORK_TABLES,
  jobDayCost,
  sameCell,
  MARK_ALL_CELLS,
  MARK_SNAPSHOT_CELLS,
  MARK_INTERVAL_CELLS,
  MARK_JOB_INTERVALS,
  MARK_STALE_RUNNING_CELLS,
  MEASURE_CELL_CHANGES,
  MEASURE_DAY_DELTAS,
  MEASURE_SPAN_BOUND,
  RECOMPUTE_REFRESH_CELLS,
  REFRESH_WINDOW,
  REMOVE_JOB_DAYS,
  RESUM_DAY_TABLES,
  RUNNING_JOBS_MEASURED_NOW,
  WORK_TABLES_READY,
  WRITE_CHANGED_CELLS,
} from './allocation.sql';

/** One version of a job's use of a (provider, gpu_type); `endTime` null while it runs. */
export interface JobInterval {
  /** `jobs.id`. */
  jobId: string;
  provider: string;
  gpuType: string;
  startTime: Date | string;
  endTime: Date | string | null;
  /** The job did not exist before this change (it has no job-day rows yet). */
  newJob?: boolean;
}

export interface SnapshotCell {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  provider: string;
  gpuType: string;
}

export interface JobDailyCost {
  date: string;
  gpu_hours: number;
  cost_usd: number;
}

/** Serialises refreshes across processes and replicas (any constant shared by all of them). */
const REFRESH_LOCK_KEY = 7_415_200_001;
/** How long ago running jobs may have been measured before a read measures them again. */
export const RUNNING_JOB_STALENESS_SECONDS = 300;
/** From this many cells on, a refresh re-analyzes `jobs` first (see refreshIn). */
const LARGE_REFRESH_CELLS = 500;
/**
 * From this many marked job intervals on (a bulk load), a refresh recomputes the cells they touch
 * instead of replacing the jobs' rows one by one: set-based over whole cells, and parallel. A
 * writer that has marked this many in one run marks the rest by cell (`wholeCells`).
 */
export const CELLS_PATH_INTERVALS = 50_000;
/** Memory for the sorts of a large refresh (one refresh at a time holds the refresh lock). */
const LARGE_REFRESH_WORK_MEM = '256MB';
/**
 * From this many cells on, a refresh of its own splits the cells by day between connections:
 * PostgreSQL runs a statement on one core, and after a bulk load the rest of the machine idles.
 */
const PARALLEL_REFRESH_CELLS = 1_000;
const REFRESH_WORKERS = 2;
/** How often one process looks for stale running-job cells at all. */
const RUNNING_CHECK_INTERVAL_MS = 60_000;

/**
 * Keeps the allocation tables equal to DESIGN section 4 applied to `jobs` and `cost_snapshots`.
 * Writers mark the jobs and snapshots they change; a refresh replaces the changed jobs' rows and
 * moves the sums by the difference, or recomputes whole cells after a bulk load or for a
 * rebuild (docs/allocation.md).
 */
@Injectable()
export class AllocationService {
  private readonly logger = new Logger(AllocationService.name);
  private lastRunningCheck = 0;
  /** The tail of this process's queue of refreshes of their own (see refreshDirty). */
  private ownRefreshes: Promise<unknown> = Promise.resolve();

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
    const unique = new Map<string, [string, string, string, string, string | null, boolean]>();
    let longestMs = 0;
    for (const i of intervals) {
      if (!i.startTime) continue;
      const start = toIso(i.startTime);
      const end = i.endTime === null || i.endTime === undefined ? null : toIso(i.endTime);
      const newJob = i.newJob ?? false;
      if (end !== null) longestMs = Math.max(longestMs, Date.parse(end) - Date.parse(start));
      unique.set(`${i.jobId}\u0000${i.provider}\u0000${i.gpuType}\u0000${start}\u0000${end}\u0000${newJob}`, [
        i.jobId,
        i.provider,
        i.gpuType,
        start,
        end,
        newJob,
      ]);
    }
    if (!unique.size) return;
    const rows = [...unique.values()];
    const [jobIds, providers, gpuTypes, starts, ends, newJobs] = [0, 1, 2, 3, 4, 5].map((k) => rows.map((r) => r[k]));
    const longestSeconds = Math.ceil(longestMs / 1000);
    if (wholeCells) await manager.query(MARK_INTERVAL_CELLS, [providers, gpuTypes, starts, ends, longestSeconds]);
    else await manager.query(MARK_JOB_INTERVALS, [jobIds, providers, gpuTypes, starts, ends, longestSeconds, newJobs]);
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
   * Recomputes every marked cell and clears the marks: inside the caller's transaction when a
   * manager is given, else in a transaction of its own.
   */
  async refreshDirty(manager?: EntityManager): Promise<{ cells: number }> {
    if (manager?.queryRunner?.isTransactionActive) return this.timed('refresh', () => this.refreshIn(manager));
    // One refresh of its own at a time per process: later callers wait here without holding a
    // connection (and usually find nothing left to do), instead of each taking pool connections
    // to queue on the refresh lock.
    const run = this.ownRefreshes.then(() => this.timed('refresh', () => this.refreshOwn()));
    this.ownRefreshes = run.catch(() => undefined);
    return run;
  }

  /**
   * A refresh in a transaction of its own. Only such a refresh may hand cells to other
   * connections: they could not see the uncommitted writes of a caller's transaction. Its
   * workers' connections are taken before the refresh lock, never while holding it.
   */
  private async refreshOwn(): Promise<{ cells: number }> {
    const [{ cells, intervals }] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM allocation_dirty_cells LIMIT ${PARALLEL_REFRESH_CELLS}) m)::int AS cells,
              (SELECT count(*) FROM (SELECT 1 FROM allocation_dirty_jobs LIMIT ${CELLS_PATH_INTERVALS}) m)::int AS intervals`,
    );
    const workers =
      cells >= PARALLEL_REFRESH_CELLS || intervals >= CELLS_PATH_INTERVALS ? await this.connectWorkers() : [];
    try {
      return await this.dataSource.transaction((m) => this.refreshIn(m, workers));
    } finally {
      await Promise.all(workers.map((w) => w.release()));
    }
  }

  private async connectWorkers(): Promise<QueryRunner[]> {
    const workers: QueryRunner[] = [];
    try {
      for (let i = 0; i < REFRESH_WORKERS; i++) {
        const worker = this.dataSource.createQueryRunner();
        workers.push(worker);
        await worker.connect();
      }
      return workers;
    } catch (error) {
      await Promise.all(workers.map((w) => w.release()));
      throw error;
    }
  }

  /**
   * Brings the allocation up to date before a read: re-measures stale cells of running jobs (at
   * most once a minute per process) and refreshes when any cell is marked.
   */
  async ensureFresh(): Promise<void> {
    if (Date.now() - this.lastRunningCheck >= RUNNING_CHECK_INTERVAL_MS) {
      this.lastRunningCheck = Date.now();
      await this.dataSource.query(MARK_STALE_RUNNING_CELLS, [RUNNING_JOB_STALENESS_SECONDS]);
    }
    const [{ dirty }] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM allocation_dirty_cells) OR EXISTS (SELECT 1 FROM allocation_dirty_jobs) AS dirty`,
    );
    if (dirty) await this.refreshDirty();
  }

  /** Empties the allocation tables and recomputes every cell from the raw tables (repairs). */
  async rebuild(): Promise<{ cells: number }> {
    return this.timed('rebuild', () => this.rebuildAll());
  }

  private async rebuildAll(): Promise<{ cells: number }> {
    return this.dataSource.transaction(async (m) => {
      await this.lock(m);
      // A rebuild of a large history outlasts the pool's per-statement timeout.
      await m.query(`SET LOCAL statement_timeout = 0`);
      await m.query(`TRUNCATE ${DERIVED_TABLES.join(', ')}`);
      await m.query(MEASURE_SPAN_BOUND);
      const now = await this.transactionNow(m);
      await m.query(MARK_ALL_CELLS, [now]);
      await m.query(RUNNING_JOBS_MEASURED_NOW, [now]);
      // MARK_ALL_CELLS asks for recomputing: the refresh takes the cells path.
      return this.refreshIn(m);
    });
  }

  /** A job's usage and cost per UTC day (`jobs.id`). */
  async dailyCostsOfJob(jobUuid: string): Promise<JobDailyCost[]> {
    await this.ensureFresh();
    return this.dataSource.query(
      // The primary key (day, provider, gpu_type, job_id) over the job's own days and GPU type.
      `SELECT to_char(a.day, 'YYYY-MM-DD') AS date, round(a.gpu_hours, 4)::float8 AS gpu_hours,
              round(${jobDayCost('a.gpu_hours', 'c.rate')}, 2)::float8 AS cost_usd
       FROM jobs j
       JOIN job_day_allocations a
         ON a.day BETWEEN (j.start_time AT TIME ZONE 'UTC')::date AND (coalesce(j.end_time, now()) AT TIME ZONE 'UTC')::date
        AND a.provider = j.provider AND a.gpu_type = j.gpu_type AND a.job_id = j.id
       JOIN allocation_cells c ON ${sameCell('c', 'a')}
       WHERE j.id = $1
       ORDER BY a.day`,
      [jobUuid],
    );
  }

  /**
   * `workers`: connections of its own a large refresh may split its cells between. Changed jobs
   * are applied one by one unless a mark asks for recomputing cells (a rebuild, a repair, running
   * jobs, the rest of a bulk load) or there are so many that recomputing the cells is cheaper.
   */
  private async refreshIn(m: EntityManager, workers: QueryRunner[] = []): Promise<{ cells: number }> {
    await this.lock(m);
    const now = await this.transactionNow(m);
    await this.prepareWorkTables(m);
    await m.query(CLAIM_DIRTY_CELLS);
    await m.query(CLAIM_DIRTY_JOBS, [now]);
    const [{ jobMarks, cellMarks, recomputeCells }] = await m.query(
      `SELECT (SELECT count(*) FROM allocation_refresh_jobs)::int AS "jobMarks",
              (SELECT count(*) FROM allocation_refresh_cells)::int AS "cellMarks",
              (SELECT count(*) FROM allocation_refresh_cells WHERE recompute)::int AS "recomputeCells"`,
    );
    let cells = 0;
    if (recomputeCells > 0 || jobMarks >= CELLS_PATH_INTERVALS) {
      await m.query(CELLS_OF_REFRESH_JOBS);
      [{ cells }] = await m.query(`SELECT count(*)::int AS cells FROM allocation_refresh_cells`);
      await this.refreshCells(m, now, cells, workers);
    } else if (jobMarks > 0 || cellMarks > 0) {
      cells = await this.applyChanges(m, now);
    }
    if (cells) this.logger.debug(`Refreshed ${cells} allocation cells`);
    return { cells };
  }

  /**
   * Replaces the job-day rows of the marked jobs and moves the cells and day tables by the
   * difference. Returns the number of cells touched.
   */
  private async applyChanges(m: EntityManager, now: Date): Promise<number> {
    for (const sql of REMOVE_JOB_DAYS) await m.query(sql);
    await m.query(ADD_JOB_DAYS, [now]);
    await m.query(MEASURE_CELL_CHANGES);
    // Counted, the changed cells let the planner hash the day deltas instead of sorting them.
    await m.query(`ANALYZE allocation_cell_changes`);
    await m.query(MEASURE_DAY_DELTAS);
    await m.query(DROP_EMPTY_CELLS);
    await m.query(WRITE_CHANGED_CELLS, [now]);
    for (const sql of APPLY_DAY_DELTAS) await m.query(sql);
    const [{ cells }] = await m.query(`SELECT count(*)::int AS cells FROM allocation_cell_changes`);
    return cells;
  }

  /** Recomputes the cells in `allocation_refresh_cells` from `jobs`, on the workers when there are many. */
  private async refreshCells(m: EntityManager, now: Date, cells: number, workers: QueryRunner[]): Promise<void> {
    if (!cells) return;
    const large = cells >= LARGE_REFRESH_CELLS;
    if (large) {
      // A big refresh (after a bulk load) must finish, however long it takes: the pool's
      // per-statement timeout is for requests, and cutting it short would fail a valid upload.
      await m.query(`SET LOCAL statement_timeout = 0`);
    }
    if (workers.length && cells >= PARALLEL_REFRESH_CELLS) {
      // Committed at once (outside this transaction), so that the workers plan with it too.
      await workers[0].query(`ANALYZE jobs`);
      await this.recomputeInParallel(m, now, workers);
      return;
    }
    if (large) {
      // After a big load autovacuum has usually not analyzed `jobs` yet; a sampled ANALYZE
      // costs well under a second and gives the planner the table's real size.
      await m.query(`ANALYZE jobs`);
    }
    await this.recompute(m, now, large);
  }

  /** Recomputes the cells listed in this session's `allocation_refresh_cells`. */
  private async recompute(m: EntityManager, now: Date, large: boolean): Promise<void> {
    // Fresh statistics let the planner see how few cells an incremental refresh touches.
    await m.query(`ANALYZE allocation_refresh_cells`);
    // Sorting every job-day of a year by cell spills to disk with the default work_mem.
    if (large) await m.query(`SET LOCAL work_mem = '${LARGE_REFRESH_WORK_MEM}'`);
    for (const sql of CLEAR_REFRESH_CELLS) await m.query(sql);
    const [window] = await m.query(REFRESH_WINDOW);
    await m.query(RECOMPUTE_REFRESH_CELLS, [now, window.window_start, window.window_end, window.earliest_start]);
    for (const sql of RESUM_DAY_TABLES) await m.query(sql);
  }

  /**
   * Splits the claimed cells into runs of whole days and recomputes each run, day tables
   * included, in a transaction of its own, at the same instant `now`. The claiming transaction
   * holds the refresh lock and the claimed marks until all runs have committed: should it fail,
   * the marks come back and the next refresh recomputes those cells again. Readers wait on the
   * lock meanwhile.
   */
  private async recomputeInParallel(m: EntityManager, now: Date, workers: QueryRunner[]): Promise<void> {
    const cells: { day: string; provider: string; gpu_type: string }[] = await m.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, provider, gpu_type FROM allocation_refresh_cells ORDER BY day, provider, gpu_type`,
    );
    const share = Math.ceil(cells.length / workers.length);
    const runs: (typeof cells)[] = [[]];
    for (let i = 0; i < cells.length; i++) {
      const run = runs[runs.length - 1];
      // A day stays in one run: its day-table rows are summed over all of its cells.
      if (run.length >= share && cells[i].day !== cells[i - 1].day) runs.push([]);
      runs[runs.length - 1].push(cells[i]);
    }
    await Promise.all(
      runs.map((run, i) =>
        workers[i].manager.transaction(async (w) => {
          await w.query(`SET LOCAL statement_timeout = 0`);
          await this.prepareWorkTables(w);
          await w.query(
            `INSERT INTO allocation_refresh_cells (day, provider, gpu_type) SELECT * FROM unnest($1::date[], $2::text[], $3::text[])`,
            [run.map((c) => c.day), run.map((c) => c.provider), run.map((c) => c.gpu_type)],
          );
          await this.recompute(w, now, true);
        }),
      ),
    );
  }

  /** Empty work tables for this refresh (see WORK_TABLES). */
  private async prepareWorkTables(m: EntityManager): Promise<void> {
    const [{ ready }] = await m.query(WORK_TABLES_READY);
    await m.query(ready ? EMPTY_WORK_TABLES : CREATE_WORK_TABLES);
  }

  private async lock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock($1)`, [REFRESH_LOCK_KEY]);
  }

  /** Times a refresh or a rebuild and counts the cells it wrote. */
  private async timed(step: AllocationStep, work: () => Promise<{ cells: number }>): Promise<{ cells: number }> {
    const result = await this.metrics.timeAllocation(step, work);
    this.metrics.allocationCells.inc(result.cells);
    return result;
  }

  /** The transaction's own clock: the instant running jobs are measured up to. */
  private async transactionNow(m: EntityManager): Promise<Date> {
    const [{ now }] = await m.query(`SELECT now() AS now`);
    return now;
  }
}

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}
