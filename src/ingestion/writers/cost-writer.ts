import type { EntityManager } from 'typeorm';
import type { AllocationService } from '../../allocation/allocation.service';
import type { CostSnapshotsWriter } from '../../analytics/snapshots/cost-snapshots.writer';
import { costKey, CostRecord } from '../records/cost-record';
import type { BatchResult, BatchWriter } from './batch-writer';

/** Cost snapshots for one run: written by their owner, their allocation cells marked in the same transaction. */
export class CostBatchWriter implements BatchWriter<CostRecord> {
  constructor(
    private readonly snapshots: CostSnapshotsWriter,
    private readonly allocation: AllocationService,
  ) {}

  keyOf(record: CostRecord): string {
    return costKey(record);
  }

  async write(manager: EntityManager, batch: CostRecord[]): Promise<BatchResult> {
    if (!batch.length) return { inserted: 0, updated: 0, unchanged: 0 };
    const written = await this.snapshots.upsert(manager, batch);
    if (written.length) {
      const cells = written.map((r) => ({ day: r.day, provider: r.provider, gpuType: r.gpu_type }));
      // Re-sent unchanged snapshots are not written, so a file re-sent after archiving still passes.
      await this.allocation.refuseArchivedSnapshotChanges(manager, cells);
      await this.allocation.markSnapshotsChanged(manager, cells);
    }
    const inserted = written.filter((r) => r.inserted).length;
    return { inserted, updated: written.length - inserted, unchanged: batch.length - written.length };
  }
}
