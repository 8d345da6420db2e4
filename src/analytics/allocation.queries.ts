/**
 * The set-based SQL of cost allocation (docs/allocation.md). It works on the cells listed in
 * the temporary table `allocation_refresh_cells`; `$1` is the instant running jobs are
 * measured up to. Day boundaries are UTC whatever the session time zone is.
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
           - make_interval(secs => (SELECT coalesce(max(longest_seconds), 0) + 1 FROM allocation_span_bounds)) AS earliest_start
  FROM allocation_refresh_cells`;

export const CREATE_REFRESH_CELLS = [
  `DROP TABLE IF EXISTS pg_temp.allocation_refresh_cells`,
  `CREATE TEMP TABLE allocation_refresh_cells (
     day date NOT NULL, provider text NOT NULL, gpu_type text NOT NULL,
     PRIMARY KEY (day, provider, gpu_type)
   ) ON COMMIT DROP`,
];

/** Takes every committed mark; marks of transactions still open stay for their own refresh. */
export const CLAIM_DIRTY_CELLS = `
  WITH claimed AS (DELETE FROM allocation_dirty_cells RETURNING day, provider, gpu_type)
  INSERT INTO allocation_refresh_cells (day, provider, gpu_type)
  SELECT DISTINCT day, provider, gpu_type FROM claimed`;

export const CLEAR_REFRESH_CELLS = ['job_day_allocations', 'allocation_cells'].map(
  (table) => `
  DELETE FROM ${table} t USING allocation_refresh_cells r
  WHERE t.day = r.day AND t.provider = r.provider AND t.gpu_type = r.gpu_type`,
);

/**
 * One statement computes usage, splits each cell's snapshot cost and writes the job-day rows
 * and the cell totals. Shares are rounded to 12 decimals and the cell's remainder goes to its
 * largest user, so the stored parts add up to the snapshot exactly. Queued jobs have not
 * started: they use nothing whatever their timestamps say. $2..$4: REFRESH_WINDOW's
 * window_start, window_end and earliest_start; the two candidate scans are index ranges.
 */
export const RECOMPUTE_REFRESH_CELLS = `
  WITH bounds AS (
    SELECT min(day) AS lo, max(day) AS hi FROM allocation_refresh_cells
  ),
  candidates AS (
    SELECT id, provider, gpu_type, team_id, model_name, status, gpu_count, start_time, end_time
    FROM jobs
    WHERE end_time IS NOT NULL AND start_time >= $4::timestamptz AND start_time < $3::timestamptz
      AND end_time > $2::timestamptz AND status <> 'queued'
    UNION ALL
    SELECT id, provider, gpu_type, team_id, model_name, status, gpu_count, start_time, $1::timestamptz
    FROM jobs
    WHERE end_time IS NULL AND start_time < $3::timestamptz AND $1::timestamptz > $2::timestamptz AND status <> 'queued'
  ),
  -- Each candidate's UTC days within the window, materialised before the cells are joined:
  -- joined earlier, the planner may pair every job with every day of its provider and GPU type.
  candidate_days AS MATERIALIZED (
    SELECT g.day, g.day_start, j.*
    FROM bounds b
    CROSS JOIN candidates j
    CROSS JOIN LATERAL (
      SELECT s::date AS day, s AT TIME ZONE 'UTC' AS day_start
      FROM generate_series(
        greatest(date_trunc('day', j.start_time AT TIME ZONE 'UTC'), b.lo::timestamp),
        least(date_trunc('day', j.end_time AT TIME ZONE 'UTC'), b.hi::timestamp),
        interval '1 day') AS s
    ) g
  ),
  usage AS (
    SELECT d.day, d.provider, d.gpu_type, d.id AS job_id, d.team_id, d.model_name, d.status,
           d.day = (d.start_time AT TIME ZONE 'UTC')::date AS first_day,
           d.gpu_count * extract(epoch FROM
             least(d.end_time, d.day_start + interval '1 day') - greatest(d.start_time, d.day_start)
           ) / 3600 AS gpu_hours
    FROM candidate_days d
    JOIN allocation_refresh_cells r ON r.day = d.day AND r.provider = d.provider AND r.gpu_type = d.gpu_type
  ),
  shares AS (
    SELECT u.*, s.cost_usd AS cell_cost,
           CASE WHEN s.cost_usd IS NULL THEN 0
                ELSE round(s.cost_usd * u.gpu_hours / sum(u.gpu_hours) OVER cell, 12) END AS share,
           row_number() OVER (PARTITION BY u.day, u.provider, u.gpu_type ORDER BY u.gpu_hours DESC, u.job_id) AS rank
    FROM usage u
    LEFT JOIN cost_snapshots s ON s.entry_date = u.day AND s.provider = u.provider AND s.gpu_type = u.gpu_type
    WHERE u.gpu_hours > 0
    WINDOW cell AS (PARTITION BY u.day, u.provider, u.gpu_type)
  ),
  allocated AS (
    SELECT day, provider, gpu_type, job_id, team_id, model_name, status, first_day, gpu_hours,
           cell_cost IS NULL AS unpriced,
           share + CASE WHEN rank = 1 AND cell_cost IS NOT NULL
                        THEN cell_cost - sum(share) OVER (PARTITION BY day, provider, gpu_type) ELSE 0 END AS cost_usd
    FROM shares
  ),
  job_days AS (
    INSERT INTO job_day_allocations (day, provider, gpu_type, job_id, team_id, model_name, status, gpu_hours, cost_usd, unpriced, first_day)
    SELECT day, provider, gpu_type, job_id, team_id, model_name, status, gpu_hours, cost_usd, unpriced, first_day FROM allocated
  ),
  cell_usage AS (
    SELECT day, provider, gpu_type, sum(gpu_hours) AS gpu_hours, sum(cost_usd) AS cost_usd, count(*) AS job_count
    FROM allocated GROUP BY day, provider, gpu_type
  )
  INSERT INTO allocation_cells
    (day, provider, gpu_type, snapshot_cost_usd, gpu_hours, allocated_usd, unallocated_usd, unpriced_gpu_hours, job_count, refreshed_at)
  SELECT r.day, r.provider, r.gpu_type, s.cost_usd,
         coalesce(u.gpu_hours, 0),
         coalesce(u.cost_usd, 0),
         CASE WHEN u.day IS NULL THEN s.cost_usd ELSE 0 END,
         CASE WHEN s.id IS NULL THEN u.gpu_hours ELSE 0 END,
         coalesce(u.job_count, 0),
         $1::timestamptz
  FROM allocation_refresh_cells r
  LEFT JOIN cost_snapshots s ON s.entry_date = r.day AND s.provider = r.provider AND s.gpu_type = r.gpu_type
  LEFT JOIN cell_usage u ON u.day = r.day AND u.provider = r.provider AND u.gpu_type = r.gpu_type
  WHERE s.id IS NOT NULL OR u.day IS NOT NULL`;

const DIRTY_DAYS = `day IN (SELECT DISTINCT day FROM allocation_refresh_cells)`;
const DAY_TABLE_COLUMNS = 'gpu_hours, cost_usd, unpriced_gpu_hours, job_count, jobs_started';

/**
 * The day tables are re-summed for the days that had a dirty cell, each written in day order
 * so that a range read after a large refresh finds its rows on few pages (twice as fast for 30
 * days). Day × team × model is summed from the job-day rows; day × team and day × model from it,
 * a third as many rows (a job has one team and one model, so its counts add up).
 */
export const RESUM_DAY_TABLES = [
  ...['allocation_team_model_days', 'allocation_team_days', 'allocation_model_days'].map((table) => `DELETE FROM ${table} WHERE ${DIRTY_DAYS}`),
  `INSERT INTO allocation_team_model_days (day, team_id, model_name, ${DAY_TABLE_COLUMNS})
   SELECT day, team_id, model_name, sum(gpu_hours), sum(cost_usd), sum(CASE WHEN unpriced THEN gpu_hours ELSE 0 END),
          count(*), count(*) FILTER (WHERE first_day)
   FROM job_day_allocations WHERE ${DIRTY_DAYS}
   GROUP BY day, team_id, model_name ORDER BY day, team_id, model_name`,
  ...(
    [
      ['allocation_team_days', 'team_id'],
      ['allocation_model_days', 'model_name'],
    ] as const
  ).map(
    ([table, key]) => `INSERT INTO ${table} (day, ${key}, ${DAY_TABLE_COLUMNS})
   SELECT day, ${key}, sum(gpu_hours), sum(cost_usd), sum(unpriced_gpu_hours), sum(job_count), sum(jobs_started)
   FROM allocation_team_model_days WHERE ${DIRTY_DAYS}
   GROUP BY day, ${key} ORDER BY day, ${key}`,
  ),
];

/**
 * Every UTC day of every interval, per (provider, gpu_type). $1..$4: parallel arrays; $5: the
 * longest finished interval in seconds, recorded when it beats the recorded bound.
 */
export const MARK_INTERVALS = `
  WITH longest AS (
    INSERT INTO allocation_span_bounds (longest_seconds)
    SELECT $5::float8 WHERE $5::float8 > (SELECT coalesce(max(longest_seconds), 0) FROM allocation_span_bounds)
  )
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type)
  SELECT DISTINCT d::date, i.provider, i.gpu_type
  FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS i(provider, gpu_type, start_time, end_time)
  CROSS JOIN LATERAL generate_series(
    date_trunc('day', i.start_time AT TIME ZONE 'UTC'),
    date_trunc('day', coalesce(i.end_time, now()) AT TIME ZONE 'UTC'),
    interval '1 day') AS d`;

export const MARK_CELLS = `
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type)
  SELECT DISTINCT c.day, c.provider, c.gpu_type
  FROM unnest($1::date[], $2::text[], $3::text[]) AS c(day, provider, gpu_type)`;

/**
 * Cells of running jobs computed before the end of their day and more than $1 seconds ago.
 * They are re-measured so that today's (and, after a quiet spell, earlier days') usage of a
 * running job keeps growing.
 */
export const MARK_STALE_RUNNING_CELLS = `
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type)
  SELECT DISTINCT d::date, j.provider, j.gpu_type
  FROM jobs j
  CROSS JOIN LATERAL generate_series(
    date_trunc('day', j.start_time AT TIME ZONE 'UTC'), date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d
  LEFT JOIN allocation_cells c ON c.day = d::date AND c.provider = j.provider AND c.gpu_type = j.gpu_type
  WHERE j.end_time IS NULL AND j.status <> 'queued' AND j.start_time < now()
    AND (c.day IS NULL OR (c.refreshed_at < (d + interval '1 day') AT TIME ZONE 'UTC'
                           AND c.refreshed_at < now() - make_interval(secs => $1)))`;

/** Every cell that can hold usage or a snapshot, for a full rebuild. */
export const MARK_ALL_CELLS = `
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type)
  SELECT DISTINCT d::date, x.provider, x.gpu_type
  FROM (
    SELECT provider, gpu_type, min(start_time AT TIME ZONE 'UTC')::date AS lo,
           max(coalesce(end_time, $1::timestamptz) AT TIME ZONE 'UTC')::date AS hi
    FROM jobs WHERE status <> 'queued' GROUP BY provider, gpu_type
    UNION ALL
    SELECT provider, gpu_type, min(entry_date), max(entry_date) FROM cost_snapshots GROUP BY provider, gpu_type
  ) x
  CROSS JOIN LATERAL generate_series(x.lo::timestamp, x.hi::timestamp, interval '1 day') AS d`;

/** The span bound measured afresh, for a rebuild. */
export const MEASURE_SPAN_BOUND = `
  INSERT INTO allocation_span_bounds (longest_seconds)
  SELECT coalesce(max(extract(epoch FROM end_time - start_time)), 0) FROM jobs WHERE end_time IS NOT NULL`;

export const DERIVED_TABLES = [
  'allocation_dirty_cells',
  'allocation_cells',
  'job_day_allocations',
  'allocation_span_bounds',
  'allocation_team_days',
  'allocation_model_days',
  'allocation_team_model_days',
];
