import { cellCapacity, LABEL_KEYS } from './allocation.sql';

/**
 * Archived days (docs/allocation.md, "Archiving old months"): every day before the month after
 * the latest archived month. Their cells stay; their job-days and day sums leave.
 */

/** The first day that is not archived, or NULL when nothing is. One probe of the primary key. */
export const ARCHIVED_BEFORE = `(SELECT (max(month) + interval '1 month')::date FROM archived_months)`;

/** A condition on a day: it is not archived (its job-days and day sums are there). */
export const notArchived = (day: string) => `${day} >= coalesce(${ARCHIVED_BEFORE}, '-infinity'::date)`;

/**
 * A refresh leaves archived days alone: marks of their cells are dropped once claimed, and job
 * intervals are clipped to the days after them (a job running across the boundary keeps its
 * archived days as they were archived). One round trip (no parameters: the simple protocol).
 */
export const SKIP_ARCHIVED_DAYS = `
  DELETE FROM allocation_refresh_cells WHERE day < ${ARCHIVED_BEFORE};
  DELETE FROM allocation_refresh_jobs WHERE last_day < ${ARCHIVED_BEFORE};
  UPDATE allocation_refresh_jobs SET first_day = ${ARCHIVED_BEFORE} WHERE first_day < ${ARCHIVED_BEFORE}`;

/**
 * Writers of jobs and snapshots hold this lock (shared) while they check what they change against
 * the archived days; the archive holds it alone while it closes months. A batch that checked
 * before a month closed has committed (and its marks are refreshed) before the month closes.
 */
export const ARCHIVE_LOCK_KEY = 7_415_200_002;

/**
 * The archived (or closing) months overlapping [$1, $2] (null when none does) and the first
 * unarchived day: one row, one statement, since every report asks.
 */
export const ARCHIVED_MONTHS_WITHIN = `
  SELECT array_agg(to_char(month, 'YYYY-MM') ORDER BY month)
           FILTER (WHERE month <= $2::date AND month + interval '1 month' > $1::date) AS months,
         to_char(max(month) + interval '1 month', 'YYYY-MM-DD') AS before
  FROM archived_months`;

/**
 * The months `m` from the first one with allocation data (or the month after the last one
 * archived) up to the month before $1.
 */
const MONTHS_BEFORE = `(
    SELECT coalesce(${ARCHIVED_BEFORE}, date_trunc('month', (SELECT min(day) FROM allocation_cells))::date) AS first
  ) f
  CROSS JOIN LATERAL generate_series(f.first::timestamp, ($1::date - interval '1 month')::timestamp, interval '1 month') AS m
  WHERE f.first IS NOT NULL`;

/**
 * Closes the months from the first one with allocation data (or the month after the last one
 * archived) up to the month before $1: a row for each. Months already closed stay as they are.
 */
export const CLOSE_MONTHS = `
  INSERT INTO archived_months (month)
  SELECT m::date
  FROM ${MONTHS_BEFORE}
  ON CONFLICT (month) DO NOTHING`;

/** The closed months before $1 whose archiving has not finished, with their progress. */
export const UNFINISHED_MONTHS = `
  SELECT to_char(month, 'YYYY-MM') AS month, file, job_day_rows::int AS "jobDayRows", day_sum_rows::int AS "daySumRows"
  FROM archived_months WHERE month < $1::date AND archived_at IS NULL ORDER BY month`;

/**
 * The months a run would close or finish before $1: whether their rows are exported already, and
 * the job-day rows each still holds.
 */
export const MONTHS_TO_ARCHIVE = `
  WITH months AS (
    SELECT m::date AS month, false AS exported
    FROM ${MONTHS_BEFORE}
    UNION ALL
    SELECT month, file IS NOT NULL FROM archived_months WHERE month < $1::date AND archived_at IS NULL
  )
  SELECT to_char(x.month, 'YYYY-MM') AS month, x.exported,
         (SELECT count(*) FROM job_day_allocations a
          WHERE a.day >= x.month AND a.day < (x.month + interval '1 month')::date)::int AS "jobDayRows"
  FROM months x ORDER BY x.month`;

/**
 * One day's job-days and day sums deleted, counted. Every primary key but the label sums' starts
 * with the day; those are found key by key. The month rows of team × model go with the month's
 * first deleted day: archiving takes whole months, and reports read archived days from cells.
 */
export const DELETE_DAY = {
  jobDays: `WITH gone AS (DELETE FROM job_day_allocations WHERE day = $1::date RETURNING 1) SELECT count(*)::int AS n FROM gone`,
  daySums: `
    ${LABEL_KEYS},
    labels AS (
      DELETE FROM allocation_label_days t USING label_keys k WHERE t.label_key = k.label_key AND t.day = $1::date RETURNING 1
    ),
    team_models AS (DELETE FROM allocation_team_model_days WHERE day = $1::date RETURNING 1),
    team_model_months AS (
      DELETE FROM allocation_team_model_months WHERE month = date_trunc('month', $1::date)::date RETURNING 1
    ),
    teams AS (DELETE FROM allocation_team_days WHERE day = $1::date RETURNING 1),
    models AS (DELETE FROM allocation_model_days WHERE day = $1::date RETURNING 1)
    SELECT ((SELECT count(*) FROM labels) + (SELECT count(*) FROM team_models) + (SELECT count(*) FROM teams)
            + (SELECT count(*) FROM models) + (SELECT count(*) FROM team_model_months))::int AS n`,
  /** What the day's deletion adds to its month's record, in the same transaction. */
  counted: `
    UPDATE archived_months SET job_day_rows = job_day_rows + $2, day_sum_rows = day_sum_rows + $3
    WHERE month = date_trunc('month', $1::date)::date`,
};

/**
 * A cell of an archived day whose capacity would change (its period, GPUs or owner), among the
 * cells of the changed periods: parallel arrays $1..$4 (provider, GPU type, first day, last day
 * or null), as MARK_CAPACITY_CELLS takes them.
 */
export const ARCHIVED_CELL_REPRICED = `
  SELECT to_char(c.day, 'YYYY-MM-DD') AS day, c.provider, c.gpu_type
  FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS p(provider, gpu_type, from_date, to_date)
  JOIN allocation_cells c ON c.provider = p.provider AND c.gpu_type = p.gpu_type
   AND c.day >= p.from_date AND (p.to_date IS NULL OR c.day <= p.to_date)
  ${cellCapacity('c')}
  WHERE c.day < ${ARCHIVED_BEFORE}
    AND (c.capacity_id IS DISTINCT FROM k.id OR c.capacity_gpu_hours IS DISTINCT FROM k.gpu_hours
         OR c.owner_team_id IS DISTINCT FROM k.owner_team_id)
  ORDER BY c.day, c.provider, c.gpu_type
  LIMIT 1`;
