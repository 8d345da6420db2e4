import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Exclusion,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Team } from '../teams/team.entity';

/**
 * GPUs reserved on a provider for a GPU type over a period of UTC days (both ends included;
 * `toDate` null: open-ended). A cell of the allocation with capacity prices a GPU-hour at
 * snapshot ÷ (gpu_count × 24) and leaves the rest idle (docs/allocation.md). Periods of one
 * provider × GPU type never overlap, enforced by the database.
 */
@Entity({ name: 'capacities' })
@Check('CHK_capacities_gpu_count_positive', `"gpu_count" > 0`)
@Check('CHK_capacities_period', `"to_date" IS NULL OR "to_date" >= "from_date"`)
@Exclusion(
  'XCL_capacities_no_overlap',
  `USING gist ("provider" WITH =, "gpu_type" WITH =, daterange("from_date", "to_date", '[]') WITH &&)`,
)
export class Capacity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_capacities' })
  id: string;

  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'gpu_type', type: 'text' })
  gpuType: string;

  /** numeric: fractions for MIG slices, like a job's gpu_count. Read as text. */
  @Column({ name: 'gpu_count', type: 'numeric' })
  gpuCount: string;

  @Column({ name: 'from_date', type: 'date' })
  fromDate: string;

  @Column({ name: 'to_date', type: 'date', nullable: true })
  toDate: string | null;

  /** The team the idle of this capacity is charged to under `idle=owner`; null: nobody's. */
  @Index('idx_capacities_owner_team_id')
  @Column({ name: 'owner_team_id', type: 'uuid', nullable: true })
  ownerTeamId: string | null;

  @ManyToOne(() => Team, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'owner_team_id', foreignKeyConstraintName: 'FK_capacities_owner_team' })
  ownerTeam?: Team | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
