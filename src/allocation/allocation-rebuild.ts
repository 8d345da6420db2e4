import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  DERIVED_TABLES,
  MARK_ALL_CELLS,
  MEASURE_SPAN_BOUND,
  RUNNING_JOBS_MEASURED_NOW,
} from './allocation-rebuild.sql';
import { AllocationRefresh } from './allocation-refresh';
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
      await m.query(`TRUNCATE ${DERIVED_TABLES.join(', ')}`);
      await m.query(MEASURE_SPAN_BOUND);
      const now = await transactionNow(m);
      await m.query(MARK_ALL_CELLS, [now]);
      await m.query(RUNNING_JOBS_MEASURED_NOW, [now]);
      // MARK_ALL_CELLS asks for recomputing: the refresh takes the cells path.
      return this.refresh.refreshIn(m);
    });
  }
}
