import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AllocationStep, MetricsService } from '../health/metrics.service';
import { RetryLaterError } from '../common/errors/retry-later.error';
import { CELLS_PATH_INTERVALS, PARALLEL_REFRESH_CELLS, REFRESH_WORKERS } from './allocation.thresholds';
import { SKIP_ARCHIVED_DAYS } from './archived-days.sql';
import { RecomputeByCells } from './recompute-by-cells';
import { RefreshByJobs } from './refresh-by-jobs';
import { lockRefresh, prepareWorkTables, transactionNow } from './refresh-session';
import { CELLS_OF_REFRESH_JOBS, CLAIM_DIRTY_CELLS, CLAIM_DIRTY_JOBS } from './refresh.sql';

/**
 * Told, inside a refresh's transaction, which UTC days (`YYYY-MM-DD`) the refresh changed: what
 * it writes there commits or rolls back with the allocation itself. Other modules (alerts)
 * register one through AllocationService.onChanged; the allocation imports none of them.
 */
export interface AllocationChangeListener {
  allocationChanged(manager: EntityManager, days: string[]): Promise<void>;
}

/**
 * The days a refresh changed: the cells it recomputed or whose snapshot changed, and the days
 * whose team and model sums moved on the changed-jobs path. A job's rows are replaced over its
 * whole interval, so a running job re-measured moves only its last day, and that is the day
 * named, not every day it ran.
 */
const CHANGED_DAYS = `
  SELECT to_char(day, 'YYYY-MM-DD') AS day FROM allocation_refresh_cells
  UNION
  SELECT to_char(day, 'YYYY-MM-DD') FROM allocation_day_deltas
  WHERE gpu_hours <> 0 OR cost_usd <> 0 OR unpriced_gpu_hours <> 0 OR job_count <> 0 OR jobs_started <> 0 OR idle_share_usd <> 0`;

interface ClaimedMarks {
  jobMarks: number;
  cellMarks: number;
  recomputeCells: number;
}

/**
 * Brings the allocation tables up to date with the marks: claims them, then takes the
 * changed-jobs path (refresh-by-jobs.ts) or the cells path (recompute-by-cells.ts).
 */
@Injectable()
export class AllocationRefresh {
  private readonly logger = new Logger(AllocationRefresh.name);
  /** The tail of this process's queue of refreshes of their own (see refreshDirty). */
  private ownRefreshes: Promise<unknown> = Promise.resolve();
  private readonly listeners: AllocationChangeListener[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    private readonly byJobs: RefreshByJobs,
    private readonly byCells: RecomputeByCells,
  ) {}

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
   * A refresh a read waits for, at most `waitMs`: a rebuild, or another process's refresh of a
   * bulk load, holds the refresh lock for as long as it runs, and the read then answers 503 with
   * Retry-After rather than hang. The refresh itself stays queued and runs once the lock is free.
   */
  async refreshForRead(waitMs: number): Promise<void> {
    const run = this.refreshDirty();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), waitMs);
    });
    try {
      if ((await Promise.race([run, late])) !== 'late') return;
    } finally {
      clearTimeout(timer);
    }
    run.catch((error: Error) => this.logger.warn(`A refresh a read gave up waiting for failed: ${error.message}`));
    throw new RetryLaterError(
      `The cost allocation is being brought up to date (a rebuild, or a large upload's refresh) and was not ready within ${waitMs / 1000} s (READ_REFRESH_WAIT_SECONDS); try again shortly`,
    );
  }

  /**
   * `workers`: connections of its own a large refresh may split its cells between. Changed jobs
   * are applied one by one unless a mark asks for recomputing cells (a rebuild, a repair, running
   * jobs, the rest of a bulk load) or there are so many that recomputing the cells is cheaper.
   */
  async refreshIn(m: EntityManager, workers: QueryRunner[] = []): Promise<{ cells: number }> {
    await lockRefresh(m);
    const now = await transactionNow(m);
    await prepareWorkTables(m);
    await m.query(CLAIM_DIRTY_CELLS);
    await m.query(CLAIM_DIRTY_JOBS, [now]);
    // Archived days keep the allocation they were archived with (their job-days are gone).
    await m.query(SKIP_ARCHIVED_DAYS);
    const [{ jobMarks, cellMarks, recomputeCells }] = await m.query<ClaimedMarks[]>(
      `SELECT (SELECT count(*) FROM allocation_refresh_jobs)::int AS "jobMarks",
              (SELECT count(*) FROM allocation_refresh_cells)::int AS "cellMarks",
              (SELECT count(*) FROM allocation_refresh_cells WHERE recompute)::int AS "recomputeCells"`,
    );
    let cells = 0;
    if (recomputeCells > 0 || jobMarks >= CELLS_PATH_INTERVALS) {
      await m.query(CELLS_OF_REFRESH_JOBS);
      [{ cells }] = await m.query<{ cells: number }[]>(`SELECT count(*)::int AS cells FROM allocation_refresh_cells`);
      await this.byCells.recompute(m, now, cells, workers);
    } else if (jobMarks > 0 || cellMarks > 0) {
      cells = await this.byJobs.apply(m, now);
    }
    if (cells) this.logger.debug(`Refreshed ${cells} allocation cells`);
    if (cells && this.listeners.length) {
      const days = (await m.query<{ day: string }[]>(CHANGED_DAYS)).map((r) => r.day);
      for (const listener of this.listeners) await listener.allocationChanged(m, days);
    }
    return { cells };
  }

  /** Adds a listener told of the days every later refresh changes, in the refresh's transaction. */
  onChanged(listener: AllocationChangeListener): void {
    this.listeners.push(listener);
  }

  /** Times a refresh or a rebuild and counts the cells it wrote. */
  async timed(step: AllocationStep, work: () => Promise<{ cells: number }>): Promise<{ cells: number }> {
    const result = await this.metrics.timeAllocation(step, work);
    this.metrics.allocationCells.inc(result.cells);
    return result;
  }

  /**
   * A refresh in a transaction of its own. Only such a refresh may hand cells to other
   * connections: they could not see the uncommitted writes of a caller's transaction. Its
   * workers' connections are taken before the refresh lock, never while holding it.
   */
  private async refreshOwn(): Promise<{ cells: number }> {
    const [{ cells, intervals }] = await this.dataSource.query<{ cells: number; intervals: number }[]>(
      `SELECT (SELECT coalesce(sum(coalesce(last_day, day) - day + 1), 0) FROM (SELECT day, last_day FROM allocation_dirty_cells LIMIT ${PARALLEL_REFRESH_CELLS}) m)::int AS cells,
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
}
