import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { LARGE_REFRESH_CELLS, LARGE_REFRESH_WORK_MEM, PARALLEL_REFRESH_CELLS } from './allocation.thresholds';
import {
  CLEAR_REFRESH_CELLS,
  RECOMPUTE_REFRESH_CELLS,
  REFRESH_WINDOW,
  RESUM_DAY_TABLES,
  RESUM_MONTHS,
} from './recompute-by-cells.sql';
import { prepareWorkTables } from './refresh-session';

interface RefreshCell {
  day: string;
  provider: string;
  gpu_type: string;
}

interface RefreshWindow {
  window_start: Date;
  window_end: Date;
  earliest_start: Date;
}

/** The cells path of a refresh: listed cells recomputed from `jobs`, in parallel when there are many. */
@Injectable()
export class RecomputeByCells {
  /**
   * Recomputes the cells in `allocation_refresh_cells` from `jobs`, on the workers when there are
   * many (`cells`: how many are listed).
   */
  async recompute(m: EntityManager, now: Date, cells: number, workers: QueryRunner[]): Promise<void> {
    if (!cells) return;
    const large = cells >= LARGE_REFRESH_CELLS;
    if (large) await settingsOfLargeRefresh(m);
    if (workers.length && cells >= PARALLEL_REFRESH_CELLS) {
      // Committed at once (outside this transaction), so that the workers plan with it too.
      await workers[0].query(`ANALYZE jobs`);
      await this.recomputeInParallel(m, now, workers);
      await this.resumMonths(m);
      return;
    }
    if (large) {
      // After a big load autovacuum has usually not analyzed `jobs` yet; a sampled ANALYZE
      // costs well under a second and gives the planner the table's real size.
      await m.query(`ANALYZE jobs`);
    }
    await this.recomputeListed(m, now);
    await this.resumMonths(m);
  }

  /** Recomputes the cells listed in this session's `allocation_refresh_cells`. */
  private async recomputeListed(m: EntityManager, now: Date): Promise<void> {
    // Fresh statistics let the planner see how few cells an incremental refresh touches.
    await m.query(`ANALYZE allocation_refresh_cells`);
    for (const sql of CLEAR_REFRESH_CELLS) await m.query(sql);
    const [window] = await m.query<RefreshWindow[]>(REFRESH_WINDOW);
    await m.query(RECOMPUTE_REFRESH_CELLS, [now, window.window_start, window.window_end, window.earliest_start]);
    for (const sql of RESUM_DAY_TABLES) await m.query(sql);
  }

  /** The month rows of the listed cells' months, from the day rows written (by this session or the workers). */
  private async resumMonths(m: EntityManager): Promise<void> {
    for (const sql of RESUM_MONTHS) await m.query(sql);
  }

  /**
   * Splits the claimed cells into runs of whole days and recomputes each run, day tables
   * included, in a transaction of its own, at the same instant `now`. The claiming transaction
   * holds the refresh lock and the claimed marks until all runs have committed: should it fail,
   * the marks come back and the next refresh recomputes those cells again. Readers wait on the
   * lock meanwhile.
   */
  private async recomputeInParallel(m: EntityManager, now: Date, workers: QueryRunner[]): Promise<void> {
    const cells = await m.query<RefreshCell[]>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, provider, gpu_type FROM allocation_refresh_cells ORDER BY day, provider, gpu_type`,
    );
    const share = Math.ceil(cells.length / workers.length);
    const runs: RefreshCell[][] = [[]];
    for (let i = 0; i < cells.length; i++) {
      const run = runs[runs.length - 1];
      // A day stays in one run: its day-table rows are summed over all of its cells.
      if (run.length >= share && cells[i].day !== cells[i - 1].day) runs.push([]);
      runs[runs.length - 1].push(cells[i]);
    }
    await Promise.all(
      runs.map((run, i) =>
        workers[i].manager.transaction(async (w) => {
          await settingsOfLargeRefresh(w);
          await prepareWorkTables(w);
          await w.query(
            `INSERT INTO allocation_refresh_cells (day, provider, gpu_type) SELECT * FROM unnest($1::date[], $2::text[], $3::text[])`,
            [run.map((c) => c.day), run.map((c) => c.provider), run.map((c) => c.gpu_type)],
          );
          await this.recomputeListed(w, now);
        }),
      ),
    );
  }
}

/**
 * The settings of each transaction of a large refresh (after a bulk load). It must finish however
 * long it takes: the pool's per-statement timeout is for requests, and cutting it short would
 * fail a valid upload. Its sorts (every job-day of a year by cell; the month re-sum of every day
 * row of its months) spill to disk with the default work_mem.
 */
async function settingsOfLargeRefresh(tx: EntityManager): Promise<void> {
  await tx.query(`SET LOCAL statement_timeout = 0`);
  await tx.query(`SET LOCAL work_mem = '${LARGE_REFRESH_WORK_MEM}'`);
}
