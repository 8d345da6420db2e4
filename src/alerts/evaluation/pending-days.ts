import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllocationChangeListener, AllocationService } from '../../allocation/allocation.service';

export interface PendingDay {
  day: string;
  /** As text, to the microsecond, so the claim can tell a day marked again since it was read. */
  marked_at: string;
  /** Seconds since the mark, by the database's clock (the one that wrote it). */
  age_seconds: number;
}

/** At most this many days are evaluated at once; the rest wait for the next poll. */
const MAX_DAYS_PER_EVALUATION = 1_000;

/** The longest a process lets marks wait for a quiet moment once it has seen them. */
export const MAX_QUIET_WAIT_SECONDS = 30;

/**
 * Whether marked days are evaluated now: once no mark is younger than `quietSeconds` (the
 * uploads that made them have stopped), or once this process has waited MAX_QUIET_WAIT_SECONDS
 * since it first saw them, so steady uploads delay an evaluation but never starve it.
 */
export function dueForEvaluation(days: PendingDay[], waitedSeconds: number, quietSeconds: number): boolean {
  if (!days.length) return false;
  const quietFor = Math.min(...days.map((d) => d.age_seconds));
  return quietFor >= quietSeconds || waitedSeconds >= MAX_QUIET_WAIT_SECONDS;
}

/**
 * `alert_pending_days`: the days whose allocation changed and that alerts have not evaluated
 * since. Marked by the allocation refresh in its own transaction (one statement for all the
 * days it changed), so an ingestion's change can never commit without its mark, whichever door
 * it came through (HTTP, the CLI, a read's refresh of running jobs).
 */
@Injectable()
export class PendingDays implements AllocationChangeListener, OnModuleInit {
  constructor(private readonly allocation: AllocationService) {}

  onModuleInit(): void {
    this.allocation.onChanged(this);
  }

  async allocationChanged(m: EntityManager, days: string[]): Promise<void> {
    if (!days.length) return;
    // Sorted, so two transactions marking overlapping days lock them in the same order.
    await m.query(
      `INSERT INTO alert_pending_days (day) SELECT d FROM unnest($1::date[]) AS d ORDER BY d
       ON CONFLICT (day) DO UPDATE SET marked_at = clock_timestamp()`,
      [days],
    );
  }

  /** The oldest pending days (committed marks only). */
  read(m: EntityManager): Promise<PendingDay[]> {
    return m.query<PendingDay[]>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, marked_at::text AS marked_at,
              extract(epoch FROM clock_timestamp() - marked_at)::float8 AS age_seconds
       FROM alert_pending_days
       ORDER BY day LIMIT ${MAX_DAYS_PER_EVALUATION}`,
    );
  }

  /**
   * Clears the days an evaluation covered, in the transaction that writes its events. A day
   * marked again since it was read (another ingestion changed it meanwhile) stays for the next
   * evaluation, and so does one a refresh is marking right now (SKIP LOCKED): the evaluation
   * never waits on an ingestion.
   */
  async clear(m: EntityManager, days: PendingDay[]): Promise<void> {
    if (!days.length) return;
    await m.query(
      `DELETE FROM alert_pending_days p
       USING (SELECT day FROM alert_pending_days
               WHERE (day, marked_at) IN (SELECT * FROM unnest($1::date[], $2::timestamptz[]))
               FOR UPDATE SKIP LOCKED) s
       WHERE p.day = s.day`,
      [days.map((d) => d.day), days.map((d) => d.marked_at)],
    );
  }
}
