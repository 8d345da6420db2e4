import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A month `npm run archive` closed, exported and emptied of job-days and day sums (its cells
 * stay). The steps are recorded as they happen, so a run that stopped half-way resumes.
 */
@Entity({ name: 'archived_months' })
@Check('CHK_archived_months_first_day', `extract(day FROM "month") = 1`)
export class ArchivedMonth {
  /** The month's first day. */
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_archived_months' })
  month: string;

  /** From then on refreshes and writers leave the month alone. */
  @Column({ name: 'closed_at', type: 'timestamptz', default: () => 'now()' })
  closedAt: Date;

  /** The FOCUS export holding the month's rows, as the command wrote it; null until it is complete. */
  @Column({ type: 'text', nullable: true })
  file: string | null;

  @Column({ name: 'exported_at', type: 'timestamptz', nullable: true })
  exportedAt: Date | null;

  /** Rows deleted from `job_day_allocations`. */
  @Column({ name: 'job_day_rows', type: 'bigint', default: 0 })
  jobDayRows: string;

  /** Rows deleted from the day sums (team, model, team × model and label days). */
  @Column({ name: 'day_sum_rows', type: 'bigint', default: 0 })
  daySumRows: string;

  /** When the last of its rows was deleted; null while the deletion runs. */
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
}
