import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { conflict } from '../common/errors/domain-error';
import {
  DERIVED_TABLES,
  MARK_ALL_CELLS,
  MEASURE_SPAN_BOUND,
  RUNNING_JOBS_MEASURED_NOW,
} from './allocation-rebuild.sql';
import { AllocationRefresh } from './allocation-refresh';
import { ARCHIVED_BEFORE } from './archived-days.sql';
import { lockRefresh, transactionNow } from './refresh-session';

/** Empties the allocation tables and recomputes every cell from the raw tables (repairs). */
@Injectable()
export class AllocationRebuild {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly refresh: AllocationRefresh,
  ) {}

  async rebuild(): Promise<{ cells: number }> {
    return this.refresh.timed('rebuild', () => this.rebuildAll());
  }

  private async rebuildAll(): Promise<{ cells: number }> {
    return this.dataSource.transaction(async (m) => {
      await lockRefresh(m);
      // A rebuild of a large history outlasts the pool's per-statement timeout.
      await m.query(`SET LOCAL statement_timeout = 0`);
      await this.emptyDerivedTables(m);
      await m.query(MEASURE_SPAN_BOUND);
      const now = await transactionNow(m);
      await m.query(MARK_ALL_CELLS, [now]);
      await m.query(RUNNING_JOBS_MEASURED_NOW, [now]);
      // MARK_ALL_CELLS asks for recomputing: the refresh takes the cells path.
      return this.refresh.refreshIn(m);
    });
  }

  /**
   * Empties the derived tables, except the cells of archived days: they are the record of what
   * those days cost, and a rebuild leaves archived days alone (their job-days are gone). An
   * archive run that has not finished still has rows to export or delete: the rebuild waits for it.
   */
  private async emptyDerivedTables(m: EntityManager): Promise<void> {
    const [{ archived, unfinished }] = await m.query<{ archived: boolean; unfinished: string | null }[]>(
      `SELECT ${ARCHIVED_BEFORE} IS NOT NULL AS archived,
              (SELECT string_agg(to_char(month, 'YYYY-MM'), ', ' ORDER BY month) FROM archived_months WHERE archived_at IS NULL) AS unfinished`,
    );
    if (unfinished) {
      throw conflict(
        `The archiving of ${unfinished} has not finished: run npm run archive again to finish it, then rebuild`,
      );
    }
    if (!archived) {
      await m.query(`TRUNCATE ${DERIVED_TABLES.join(', ')}`);
      return;
    }
    await m.query(`TRUNCATE ${DERIVED_TABLES.filter((t) => t !== 'allocation_cells').join(', ')}`);
    await m.query(`DELETE FROM allocation_cells WHERE day >= ${ARCHIVED_BEFORE}`);
  }
}
