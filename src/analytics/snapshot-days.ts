import type { DataSource } from 'typeorm';

export interface SnapshotDays {
  first: string | null;
  last: string | null;
}

/**
 * The first and last UTC day that has a cost snapshot, as the allocation priced them (the
 * cells' primary key starts with the day, so each end is one index probe). Costs are known up
 * to the last: a day's bill arrives after the day, while running jobs give every day up to
 * today usage.
 */
export async function snapshotDays(dataSource: DataSource): Promise<SnapshotDays> {
  const [row] = await dataSource.query<SnapshotDays[]>(
    `SELECT to_char(min(day), 'YYYY-MM-DD') AS first, to_char(max(day), 'YYYY-MM-DD') AS last
     FROM allocation_cells WHERE snapshot_cost_usd IS NOT NULL`,
  );
  return row;
}
