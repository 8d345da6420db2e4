/**
 * The set-based SQL of cost allocation (docs/allocation.md). It works on the cells listed in
 * the temporary table `allocation_refresh_cells`; `$1` is the instant running jobs are
 * measured up to. Day boundaries are UTC whatever the session time zone is.
 */

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

export const CLEAR_REFRESH_CELLS = ['job_day_allocations', 'allocation_rollups', 'allocation_cells'].map(
  (table) => `
  DELETE FROM ${table} t USING allocation_refresh_cells r
  WHERE t.day = r.day AND t.provider = r.provider AND t.gpu_type = r.gpu_type`,
);

/**
 * One statement computes usage, splits each cell's snapshot cost and writes the job-day rows,
 * the rollups and the cell totals. Shares are rounded to 12 decimals and the cell's remainder
 * goes to its largest user, so the stored parts add up to the snapshot exactly.
 * Queued jobs have not started: they use nothing whatever their timestamps say.
 */
export const RECOMPUTE_REFRESH_CELLS = `
  WITH bounds AS (
    SELECT min(day) AS lo, max(day) AS hi FROM allocation_refresh_cells
  ),
  usage AS (
    SELECT g.day, j.provider, j.gpu_type, j.id AS job_id, j.team_id, j.model_name, j.status,
           g.day = (j.start_time AT TIME ZONE 'UTC')::date AS first_day,
           j.gpu_count * extract(epoch FROM
             least(coalesce(j.end_time, $1::timestamptz), g.day_start + interval '1 day') - greatest(j.start_time, g.day_start)
           ) / 3600 AS gpu_hours
    FROM bounds b
    JOIN jobs j
      ON j.status <> 'queued'
     AND j.start_time < (b.hi + 1)::timestamp AT TIME ZONE 'UTC'
     AND coalesce(j.end_time, $1::timestamptz) > b.lo::timestamp AT TIME ZONE 'UTC'
    CROSS JOIN LATERAL (
      SELECT s::date AS day, s AT TIME ZONE 'UTC' AS day_start
      FROM generate_series(
        greatest(date_trunc('day', j.start_time AT TIME ZONE 'UTC'), b.lo::timestamp),
        least(date_trunc('day', coalesce(j.end_time, $1::timestamptz) AT TIME ZONE 'UTC'), b.hi::timestamp),
        interval '1 day') AS s
    ) g
    JOIN allocation_refresh_cells r ON r.day = g.day AND r.provider = j.provider AND r.gpu_type = j.gpu_type
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
    INSERT INTO job_day_allocations (day, provider, gpu_type, job_id, team_id, model_name, status, gpu_hours, cost_usd)
    SELECT day, provider, gpu_type, job_id, team_id, model_name, status, gpu_hours, cost_usd FROM allocated
  ),
  rollups AS (
    INSERT INTO allocation_rollups
      (day, provider, gpu_type, team_id, model_name, status, gpu_hours, cost_usd, unpriced_gpu_hours, job_count, jobs_started)
    SELECT day, provider, gpu_type, team_id, model_name, status, sum(gpu_hours), sum(cost_usd),
           sum(CASE WHEN unpriced THEN gpu_hours ELSE 0 END), count(*), count(*) FILTER (WHERE first_day)
    FROM allocated
    GROUP BY day, provider, gpu_type, team_id, model_name, status
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

/** The day-by-team and day-by-model tables are re-summed for the days that had a dirty cell. */
export const RESUM_DAY_TABLES = [
  `DELETE FROM allocation_team_days WHERE day IN (SELECT DISTINCT day FROM allocation_refresh_cells)`,
  `DELETE FROM allocation_model_days WHERE day IN (SELECT DISTINCT day FROM allocation_refresh_cells)`,
  `INSERT INTO allocation_team_days (day, team_id, gpu_hours, cost_usd, unpriced_gpu_hours, job_count, jobs_started)
   SELECT day, team_id, sum(gpu_hours), sum(cost_usd), sum(unpriced_gpu_hours), sum(job_count), sum(jobs_started)
   FROM allocation_rollups WHERE day IN (SELECT DISTINCT day FROM allocation_refresh_cells)
   GROUP BY day, team_id`,
  `INSERT INTO allocation_model_days (day, model_name, gpu_hours, cost_usd, unpriced_gpu_hours, job_count, jobs_started)
   SELECT day, model_name, sum(gpu_hours), sum(cost_usd), sum(unpriced_gpu_hours), sum(job_count), sum(jobs_started)
   FROM allocation_rollups WHERE day IN (SELECT DISTINCT day FROM allocation_refresh_cells)
   GROUP BY day, model_name`,
];

/** Every UTC day of every interval, per (provider, gpu_type). $1..$4: parallel arrays. */
export const MARK_INTERVALS = `
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

export const DERIVED_TABLES = [
  'allocation_dirty_cells',
  'allocation_cells',
  'job_day_allocations',
  'allocation_rollups',
  'allocation_team_days',
  'allocation_model_days',
];
