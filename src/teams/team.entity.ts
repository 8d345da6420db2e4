import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { decimalTransformer } from '../common/decimal.transformer';

@Entity({ name: 'teams' })
@Unique('UQ_teams_name', ['name'])
@Check('CHK_teams_budget_non_negative', `"budget_usd" >= 0`)
export class Team {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_teams' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Monthly budget in USD; null when the team has none. */
  @Column({
    name: 'budget_usd',
    type: 'numeric',
    precision: 14,
    scale: 2,
    nullable: true,
    transformer: decimalTransformer,
  })
  budgetUsd: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
