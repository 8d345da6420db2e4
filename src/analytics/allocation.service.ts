import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import {
  CLAIM_DIRTY_CELLS,
  CLEAR_REFRESH_CELLS,
  CREATE_REFRESH_CELLS,
  DERIVED_TABLES,
  MARK_ALL_CELLS,
  MARK_CELLS,
  MARK_INTERVALS,
  MARK_STALE_RUNNING_CELLS,
  MEASURE_SPAN_BOUND,
  RECOMPUTE_REFRESH_CELLS,
  REFRESH_WINDOW,
  RESUM_DAY_TABLES,
} from './allocation.queries';

/** A job's use of a (provider, gpu_type); `endTime` null while it runs. */
export interface JobInterval {
  provider: string;
  gpuType: string;
  startTime: Date | string;
  endTime: Date | string | null;
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
/** How old a running job's cell may grow before a read re-measures it. */
export const RUNNING_JOB_STALENESS_SECONDS = 300;
/** From this many cells on, a refresh re-analyzes `jobs` first (see refreshIn). */
const LARGE_REFRESH_CELLS = 500;
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
 * Writers mark the (day, provider, gpu_type) cells their changes touch; a refresh recomputes
 * exactly those cells, set-based, in one transaction.
 */
@Injectable()
export class AllocationService {
  private readonly logger = new Logger(AllocationService.name);
  private lastRunningCheck = 0;
  /** The tail of this process's queue of refreshes of their own (see refreshDirty). */
  private ownRefreshes: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Marks the cells of these intervals (give the old and the new version of every changed job). */
  async markJobsChanged(manager: EntityManager, intervals: JobInterval[]): Promise<void> {
    const unique = new Map<string, [string, string, string, string | null]>();
    let longestMs = 0;
    for (const i of intervals) {
      if (!i.startTime) continue;
      const start = toIso(i.startTime);
      const end = i.endTime === null || i.endTime === undefined ? null : toIso(i.endTime);
      if (end !== null) longestMs = Math.max(longestMs, Date.parse(end) - Date.parse(start));
      unique.set(`${i.provider}\u0000${i.gpuType}\u0000${start}\u0000${end}`, [i.provider, i.gpuType, start, end]);
    }
    if (!unique.size) return;
    const rows = [...unique.values()];
    await manager.query(MARK_INTERVALS, [
      rows.map((r) => r[0]),
      rows.map((r) => r[1]),
      rows.map((r) => r[2]),
      rows.map((r) => r[3]),
      Math.ceil(longestMs / 1000),
    ]);
  }

  /** Marks the cells of changed cost snapshots. */
  async markSnapshotsChanged(manager: EntityManager, cells: SnapshotCell[]): Promise<void> {
    if (!cells.length) return;
    await manager.query(MARK_CELLS, [cells.map((c) => c.day), cells.map((c) => c.provider), cells.map((c) => c.gpuType)]);
  }

  /**
   * Recomputes every marked cell and clears the marks: inside the caller's transaction when a
   * manager is given, else in a transaction of its own.
   */
  async refreshDirty(manager?: EntityManager): Promise<{ cells: number }> {
    if (manager?.queryRunner?.isTransactionActive) return this.refreshIn(manager);
    // One refresh of its own at a time per process: later callers wait here without holding a
    // connection (and usually find nothing left to do), instead of each taking pool connections
    // to queue on the refresh lock.
    const run = this.ownRefreshes.then(() => this.refreshOwn());
    this.ownRefreshes = run.catch(() => undefined);
    return run;
  }

  /**
   * A refresh in a transaction of its own. Only such a refresh may hand cells to other
   * connections: they could not see the uncommitted writes of a caller's transaction. Its
   * workers' connections are taken before the refresh lock, never while holding it.
   */
  private async refreshOwn(): Promise<{ cells: number }> {
    const [{ marks }] = await this.dataSource.query(
      `SELECT count(*)::int AS marks FROM (SELECT 1 FROM allocation_dirty_cells LIMIT ${PARALLEL_REFRESH_CELLS}) m`,
    );
    const workers = marks >= PARALLEL_REFRESH_CELLS ? await this.connectWorkers() : [];
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
    const [{ dirty }] = await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM allocation_dirty_cells) AS dirty`);
    if (dirty) await this.refreshDirty();
  }

  /** Empties the allocation tables and recomputes every cell from the raw tables (repairs). */
  async rebuild(): Promise<{ cells: number }> {
    return this.dataSource.transaction(async (m) => {
      await this.lock(m);
      // A rebuild of a large history outlasts the pool's per-statement timeout.
      await m.query(`SET LOCAL statement_timeout = 0`);
      await m.query(`TRUNCATE ${DERIVED_TABLES.join(', ')}`);
      await m.query(MEASURE_SPAN_BOUND);
      await m.query(MARK_ALL_CELLS, [await this.transactionNow(m)]);
      return this.refreshIn(m);
    });
  }

  /** A job's usage and cost per UTC day (`jobs.id`). */
  async dailyCostsOfJob(jobUuid: string): Promise<JobDailyCost[]> {
    await this.ensureFresh();
    return this.dataSource.query(
      // The primary key (day, provider, gpu_type, job_id) over the job's own days and GPU type.
      `SELECT to_char(a.day, 'YYYY-MM-DD') AS date, round(a.gpu_hours, 4)::float8 AS gpu_hours, round(a.cost_usd, 2)::float8 AS cost_usd
       FROM jobs j
       JOIN job_day_allocations a
         ON a.day BETWEEN (j.start_time AT TIME ZONE 'UTC')::date AND (coalesce(j.end_time, now()) AT TIME ZONE 'UTC')::date
        AND a.provider = j.provider AND a.gpu_type = j.gpu_type AND a.job_id = j.id
       WHERE j.id = $1
       ORDER BY a.day`,
      [jobUuid],
    );
  }

  /** `workers`: connections of its own a large refresh may split its cells between. */
  private async refreshIn(m: EntityManager, workers: QueryRunner[] = []): Promise<{ cells: number }> {
    await this.lock(m);
    for (const sql of CREATE_REFRESH_CELLS) await m.query(sql);
    await m.query(CLAIM_DIRTY_CELLS);
    const [{ cells }] = await m.query(`SELECT count(*)::int AS cells FROM allocation_refresh_cells`);
    if (cells > 0) {
      const large = cells >= LARGE_REFRESH_CELLS;
      const now = await this.transactionNow(m);
      if (large) {
        // A big refresh (after a bulk load) must finish, however long it takes: the pool's
        // per-statement timeout is for requests, and cutting it short would fail a valid upload.
        await m.query(`SET LOCAL statement_timeout = 0`);
      }
      if (workers.length && cells >= PARALLEL_REFRESH_CELLS) {
        // Committed at once (outside this transaction), so that the workers plan with it too.
        await workers[0].query(`ANALYZE jobs`);
        await this.recomputeInParallel(m, now, workers);
      } else {
        if (large) {
          // After a big load autovacuum has usually not analyzed `jobs` yet; a sampled ANALYZE
          // costs well under a second and gives the planner the table's real size.
          await m.query(`ANALYZE jobs`);
        }
        await this.recompute(m, now, large);
      }
      this.logger.debug(`Recomputed ${cells} allocation cells`);
    }
    await m.query(`DROP TABLE pg_temp.allocation_refresh_cells`);
    return { cells };
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
          for (const sql of CREATE_REFRESH_CELLS) await w.query(sql);
          await w.query(
            `INSERT INTO allocation_refresh_cells (day, provider, gpu_type) SELECT * FROM unnest($1::date[], $2::text[], $3::text[])`,
            [run.map((c) => c.day), run.map((c) => c.provider), run.map((c) => c.gpu_type)],
          );
          await this.recompute(w, now, true);
          await w.query(`DROP TABLE pg_temp.allocation_refresh_cells`);
        }),
      ),
    );
  }

  private async lock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock($1)`, [REFRESH_LOCK_KEY]);
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
