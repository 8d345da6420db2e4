import type { EntityManager } from 'typeorm';
import type { AllocationService } from '../../allocation/allocation.service';
import { costKey, CostRecord } from '../records/cost-record';
import type { BatchResult, BatchWriter } from './batch-writer';

/** Upsert by (entry_date, provider, gpu_type); an unchanged price is not written at all. */
const UPSERT_COSTS = `
  INSERT INTO cost_snapshots AS c (entry_date, provider, gpu_type, cost_usd)
  SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::numeric[])
  ON CONFLICT (entry_date, provider, gpu_type) DO UPDATE SET cost_usd = EXCLUDED.cost_usd, updated_at = now()
  WHERE c.cost_usd IS DISTINCT FROM EXCLUDED.cost_usd
  RETURNING to_char(c.entry_date, 'YYYY-MM-DD') AS day, c.provider, c.gpu_type, (c.xmax = 0) AS inserted`;

export class CostBatchWriter implements BatchWriter<CostRecord> {
  constructor(private readonly allocation: AllocationService) {}

  keyOf(record: CostRecord): string {
    return costKey(record);
  }

  async write(manager: EntityManager, batch: CostRecord[]): Promise<BatchResult> {
    if (!batch.length) return { inserted: 0, updated: 0, unchanged: 0 };
    const written: { day: string; provider: string; gpu_type: string; inserted: boolean }[] = await manager.query(
      UPSERT_COSTS,
      [
        batch.map((r) => r.entryDate),
        batch.map((r) => r.provider),
        batch.map((r) => r.gpuType),
        batch.map((r) => r.costUsd),
      ],
    );
    if (written.length) {
      await this.allocation.markSnapshotsChanged(
        manager,
        written.map((r) => ({ day: r.day, provider: r.provider, gpuType: r.gpu_type })),
      );
    }
    const inserted = written.filter((r) => r.inserted).length;
    return { inserted, updated: written.length - inserted, unchanged: batch.length - written.length };
  }
}
