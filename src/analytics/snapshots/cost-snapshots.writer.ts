import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Upsert by (entry_date, provider, gpu_type); an unchanged price is not written at all. */
const UPSERT_COSTS = `
  INSERT INTO cost_snapshots AS c (entry_date, provider, gpu_type, cost_usd)
  SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::numeric[])
  ON CONFLICT (entry_date, provider, gpu_type) DO UPDATE SET cost_usd = EXCLUDED.cost_usd, updated_at = now()
  WHERE c.cost_usd IS DISTINCT FROM EXCLUDED.cost_usd
  RETURNING to_char(c.entry_date, 'YYYY-MM-DD') AS day, c.provider, c.gpu_type, (c.xmax = 0) AS inserted`;

/** A daily cost snapshot as the upsert writes it (validated and normalised). */
export interface SnapshotToWrite {
  /** `YYYY-MM-DD`. */
  entryDate: string;
  provider: string;
  gpuType: string;
  /** Decimal text, so that the price reaches `numeric` exactly. */
  costUsd: string;
}

/** A snapshot the upsert inserted or re-priced. */
export interface WrittenSnapshot {
  /** `YYYY-MM-DD`. */
  day: string;
  provider: string;
  gpu_type: string;
  inserted: boolean;
}

/**
 * The one writer of `cost_snapshots`. It runs in the caller's transaction, so that whatever the
 * caller does with the result (marking the allocation) commits with it.
 */
@Injectable()
export class CostSnapshotsWriter {
  /** `snapshots` must not repeat a (date, provider, GPU type): one statement cannot update a row twice. */
  async upsert(manager: EntityManager, snapshots: SnapshotToWrite[]): Promise<WrittenSnapshot[]> {
    if (!snapshots.length) return [];
    return manager.query<WrittenSnapshot[]>(UPSERT_COSTS, [
      snapshots.map((s) => s.entryDate),
      snapshots.map((s) => s.provider),
      snapshots.map((s) => s.gpuType),
      snapshots.map((s) => s.costUsd),
    ]);
  }
}
