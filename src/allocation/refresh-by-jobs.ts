import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ADD_JOB_DAYS,
  APPLY_DAY_DELTAS,
  DELTAS_LOSING_JOBS,
  DROP_EMPTY_CELLS,
  MEASURE_CELL_CHANGES,
  MEASURE_DAY_DELTAS,
  REMOVE_JOB_DAYS,
  WRITE_ADDED_JOB_DAYS,
  WRITE_CHANGED_CELLS,
} from './refresh-by-jobs.sql';

/** The changed-jobs path of a refresh. */
@Injectable()
export class RefreshByJobs {
  /**
   * The usual refresh: replaces the job-day rows of the marked jobs and moves the cells and day
   * tables by the difference. Returns the number of cells touched.
   */
  async apply(m: EntityManager, now: Date): Promise<number> {
    for (const sql of REMOVE_JOB_DAYS) await m.query(sql);
    await m.query(ADD_JOB_DAYS, [now]);
    await m.query(MEASURE_CELL_CHANGES);
    // Counted, the changed cells let the planner hash the day deltas instead of sorting them.
    await m.query(`ANALYZE allocation_cell_changes`);
    // The changed cells are distinct, so a Memoize of each cell's job-day rows (the planner's
    // choice for the join) never hits and only copies them: without it this statement ran 10-40 %
    // faster in A-B one-day uploads at a million jobs. The rest of the transaction plans as configured.
    await m.query(`SET LOCAL enable_memoize = off`);
    await m.query(MEASURE_DAY_DELTAS);
    await m.query(`SET LOCAL enable_memoize = DEFAULT`);
    await m.query(WRITE_ADDED_JOB_DAYS);
    await m.query(DROP_EMPTY_CELLS);
    await m.query(WRITE_CHANGED_CELLS, [now]);
    const losing = new Set((await m.query<{ deltas: string }[]>(DELTAS_LOSING_JOBS)).map((r) => r.deltas));
    for (const { deltas, add, dropEmpty } of APPLY_DAY_DELTAS) {
      await m.query(add);
      if (losing.has(deltas)) await m.query(dropEmpty);
    }
    const [{ cells }] = await m.query<{ cells: number }[]>(
      `SELECT count(*)::int AS cells FROM allocation_cell_changes`,
    );
    return cells;
  }
}
