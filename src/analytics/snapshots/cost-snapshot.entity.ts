import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** What a provider billed for one GPU type on one UTC day. */
@Entity({ name: 'cost_snapshots' })
@Unique('uq_cost_snapshots_day_provider_gpu', ['entryDate', 'provider', 'gpuType'])
@Check('CHK_cost_snapshots_cost_non_negative', `"cost_usd" >= 0`)
export class CostSnapshot {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_cost_snapshots' })
  id: string;

  /** UTC calendar day, `YYYY-MM-DD`. */
  @Column({ name: 'entry_date', type: 'date' })
  entryDate: string;

  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'gpu_type', type: 'text' })
  gpuType: string;

  /** Kept as a string: money never passes through a float. */
  @Column({ name: 'cost_usd', type: 'numeric', precision: 14, scale: 4 })
  costUsd: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
