import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Team } from '../../teams/team.entity';

export const USER_ROLES = ['admin', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

@Entity({ name: 'users' })
@Unique('UQ_users_email', ['email'])
@Check('CHK_users_role', `"role" IN ('admin','member')`)
@Check('CHK_users_member_has_team', `"role" = 'admin' OR "team_id" IS NOT NULL`)
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_users' })
  id: string;

  /** Stored lower-cased; unique. */
  @Column({ type: 'text' })
  email: string;

  /** argon2id hash (older rows: bcrypt, replaced at the next login); never the password, never sent out. */
  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'text' })
  role: UserRole;

  /** The team a member belongs to; null for admins. */
  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId: string | null;

  @ManyToOne(() => Team, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_users_team' })
  team?: Team | null;

  /** Raised by every change of role, team or `disabled`; tokens carrying an older value are refused. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  /** A disabled user cannot log in, and its tokens are refused. */
  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
