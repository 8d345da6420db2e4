import type { EntityManager } from 'typeorm';

export interface WriteCounts {
  inserted: number;
  updated: number;
  /** Already stored exactly so: not written, `updated_at` untouched. */
  unchanged: number;
}

export interface BatchResult extends WriteCounts {
  /** Called once the batch's transaction has committed (state that may only outlive a commit). */
  committed?: () => void;
}

/**
 * Writes one batch of valid records, set-based, inside the caller's transaction. A batch has
 * no two records with the same key (the pipeline keeps the last) and is sorted by key, so
 * concurrent runs lock rows in the same order.
 */
export interface BatchWriter<T> {
  keyOf(record: T): string;
  write(manager: EntityManager, batch: T[]): Promise<BatchResult>;
}
