import {
  cellAllocated,
  cellCapacity,
  cellUnallocated,
  CELL_COLUMNS,
  DAY_SUMS_SUMMED,
  DAY_TABLE_COLUMNS,
  JOB_DAY_COLUMNS,
  LABEL_KEYS,
  jobDayCost,
  jobDayIdleShare,
  jobDayMeasuredCost,
  jobDayUsage,
  jobDayUsedCost,
  JOB_USAGE_COLUMNS,
  rate,
  sameCell,
} from './allocation.sql';
import { LONGEST_FINISHED_SPAN } from './allocation-marks.sql';

/**
 * The cells path of a refresh (a rebuild, a bulk load, running jobs): listed cells recomputed
 * from `jobs`, their days re-summed.
 */

/**
 * Where the jobs that can use the refresh cells are: finished jobs starting in
 * [earliest_start, window_end) and ending after window_start, and running jobs starting before
 * window_end. earliest_start is window_start minus the longest finished job (plus a second).
 */
export const REFRESH_WINDOW = `
  SELECT min(day)::timestamp AT TIME ZONE 'UTC' AS window_start,
         (max(day) + 1)::timestamp AT TIME ZONE 'UTC' AS window_end,
         min(day)::timestamp AT TIME ZONE 'UTC'
           - ${LONGEST_FINISHED_SPAN} AS earliest_start
  FROM allocation_refresh_cells`;

export const CLEAR_REFRESH_CELLS = ['job_day_allocations', 'allocation_cells'].map(
  (table) => `
  DELETE FROM ${table} t USING allocation_refresh_cells r
  WHERE ${sameCell('t', 'r')}`,
);

/**
 * One statement computes the usage of the listed cells and writes their job-day rows and cell
 * totals. Queued jobs have not started: they use nothing whatever their timestamps say.
 * $2..$4: REFRESH_WINDOW's window_start, window_end and earliest_start; the two candidate scans
 * are index ranges.
 */
export const RECOMPUTE_REFRESH_CELLS = `
  WITH bounds AS (
    SELECT min(day)::timestamp AS lo, max(day)::timestamp AS hi FROM allocation_refresh_cells
  ),
  candidates AS (
    SELECT ${JOB_USAGE_COLUMNS}, end_time
    FROM jobs
    WHERE end_time IS NOT NULL AND start_time >= $4::timestamptz AND start_time < $3::timestamptz
      AND end_time > $2::timestamptz AND status <> 'queued'
    UNION ALL
    SELECT ${JOB_USAGE_COLUMNS}, $1::timestamptz
    FROM jobs
    WHERE end_time IS NULL AND start_time < $3::timestamptz AND $1::timestamptz > $2::timestamptz AND status <> 'queued'
  ),
  -- Each candidate's UTC days within the window, materialised before the cells are joined:
  -- joined earlier, the planner may pair every job with every day of its provider and GPU type.
  candidate_days AS MATERIALIZED (${jobDayUsage('bounds b CROSS JOIN candidates j', 'b.lo', 'b.hi')}),
  usage AS (
    SELECT d.* FROM candidate_days d
    JOIN allocation_refresh_cells r ON ${sameCell('r', 'd')}
    WHERE d.gpu_hours > 0
  ),
  -- Written in key order: a cell's rows share a few pages (a re-priced cell is read whole) and
  -- the primary key is appended to rather than split at random.
  job_days AS (
    INSERT INTO job_day_allocations (${JOB_DAY_COLUMNS}) SELECT ${JOB_DAY_COLUMNS} FROM usage ORDER BY day, provider, gpu_type, job_uuid
  ),
  cell_usage AS (
    SELECT day, provider, gpu_type, trim_scale(sum(gpu_hours)) AS gpu_hours, count(*) AS job_count
    FROM usage GROUP BY day, provider, gpu_type
  )
  INSERT INTO allocation_cells (${CELL_COLUMNS})
  SELECT r.day, r.provider, r.gpu_type, s.cost_usd,
         coalesce(u.gpu_hours, 0),
         a.allocated,
         ${cellUnallocated('s.cost_usd', 'a.allocated')},
         CASE WHEN s.id IS NULL THEN u.gpu_hours ELSE 0 END,
         coalesce(u.job_count, 0),
         x.rate,
         $1::timestamptz,
         ${rate('s.cost_usd', 'u.gpu_hours', 'u.day IS NOT NULL')},
         k.id, k.gpu_hours, k.owner_team_id
  FROM allocation_refresh_cells r
  LEFT JOIN cost_snapshots s ON s.entry_date = r.day AND s.provider = r.provider AND s.gpu_type = r.gpu_type
  LEFT JOIN cell_usage u ON ${sameCell('u', 'r')}
  ${cellCapacity('r')}
  CROSS JOIN LATERAL (SELECT ${rate('s.cost_usd', 'u.gpu_hours', 'u.day IS NOT NULL', 'k.gpu_hours')} AS rate) x
  CROSS JOIN LATERAL (
    SELECT ${cellAllocated('s.cost_usd', 'u.gpu_hours', 'u.day IS NOT NULL', 'k.gpu_hours', 'x.rate')} AS allocated
  ) a
  WHERE s.id IS NOT NULL OR u.day IS NOT NULL`;

const DIRTY_DAYS = `day IN (SELECT DISTINCT day FROM allocation_refresh_cells)`;

/** The sums of job-day rows `a` in their cells `c`, as the day tables keep them. */
const JOB_DAY_SUMS = `trim_scale(sum(a.gpu_hours)), sum(${jobDayCost('a.gpu_hours', 'c.rate')}),
  trim_scale(sum(CASE WHEN c.snapshot_cost_usd IS NULL THEN a.gpu_hours ELSE 0 END)),
  count(*), count(*) FILTER (WHERE a.first_day), sum(${jobDayIdleShare('a.gpu_hours', 'c.rate', 'c.share_rate')}),
  sum(${jobDayMeasuredCost('a.gpu_hours', 'c.rate', 'a.gpu_utilization')}), sum(${jobDayUsedCost('a.gpu_hours', 'c.rate', 'a.gpu_utilization')})`;

/**
 * The day tables are re-summed for the days that had a listed cell, each written in day order
 * so that a range read after a large refresh finds its rows on few pages (twice as fast for 30
 * days). Day × team × model is summed from the job-day rows at their cells' rates; day × team
 * and day × model from it, a third as many rows (a job has one team and one model). The label
 * day rows are summed from the job-day rows too, a row for each of its labels.
 */
export const RESUM_DAY_TABLES = [
  ...['allocation_team_model_days', 'allocation_team_days', 'allocation_model_days'].map(
    (table) => `DELETE FROM ${table} WHERE ${DIRTY_DAYS}`,
  ),
  `${LABEL_KEYS}
   DELETE FROM allocation_label_days t USING label_keys k, (SELECT DISTINCT day FROM allocation_refresh_cells) d
   WHERE t.label_key = k.label_key AND t.day = d.day`,
  `INSERT INTO allocation_team_model_days (day, team_id, model_name, ${DAY_TABLE_COLUMNS})
   SELECT a.day, a.team_id, a.model_name, ${JOB_DAY_SUMS}
   FROM job_day_allocations a
   JOIN allocation_cells c ON ${sameCell('c', 'a')}
   WHERE a.${DIRTY_DAYS}
   GROUP BY a.day, a.team_id, a.model_name ORDER BY a.day, a.team_id, a.model_name`,
  ...(
    [
      ['allocation_team_days', 'team_id'],
      ['allocation_model_days', 'model_name'],
    ] as const
  ).map(
    ([table, key]) => `INSERT INTO ${table} (day, ${key}, ${DAY_TABLE_COLUMNS})
   SELECT day, ${key}, ${DAY_SUMS_SUMMED}
   FROM allocation_team_model_days WHERE ${DIRTY_DAYS}
   GROUP BY day, ${key} ORDER BY day, ${key}`,
  ),
  `INSERT INTO allocation_label_days (label_key, day, team_id, label_value, ${DAY_TABLE_COLUMNS})
   SELECT l.key, a.day, a.team_id, l.value, ${JOB_DAY_SUMS}
   FROM job_day_allocations a
   JOIN allocation_cells c ON ${sameCell('c', 'a')}
   CROSS JOIN LATERAL jsonb_each_text(a.labels) l
   WHERE a.${DIRTY_DAYS} AND a.labels <> '{}'::jsonb
   GROUP BY l.key, a.day, a.team_id, l.value ORDER BY l.key, a.day, a.team_id, l.value`,
];

/**
 * The months of the days that had a listed cell. A day's month is truncated as a timestamp: as a
 * date it would be cast to timestamptz and truncated in the session's time zone, the same answer
 * at a seventh more of the month re-sum after a bulk load (400,000 day rows).
 */
const LISTED_MONTHS = `SELECT DISTINCT date_trunc('month', day::timestamp)::date FROM allocation_refresh_cells`;

/**
 * The month rows of the months that had a listed cell, summed again from their day × team ×
 * model rows: run once the day rows of every listed cell are written (after the workers of a
 * parallel refresh have committed theirs, since one month's days may be split between them).
 */
export const RESUM_MONTHS = [
  `DELETE FROM allocation_team_model_months WHERE month IN (${LISTED_MONTHS})`,
  `INSERT INTO allocation_team_model_months (month, team_id, model_name, ${DAY_TABLE_COLUMNS})
   SELECT date_trunc('month', day::timestamp)::date AS month, team_id, model_name, ${DAY_SUMS_SUMMED}
   FROM allocation_team_model_days
   WHERE day >= (SELECT date_trunc('month', min(day)::timestamp)::date FROM allocation_refresh_cells)
     AND day < (SELECT (date_trunc('month', max(day)::timestamp) + interval '1 month')::date FROM allocation_refresh_cells)
     AND date_trunc('month', day::timestamp)::date IN (${LISTED_MONTHS})
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
];
