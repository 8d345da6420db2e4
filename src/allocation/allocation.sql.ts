/**
 * The set-based SQL of cost allocation (docs/allocation.md). `$1` is always the instant running
 * jobs are measured up to. Day boundaries are UTC whatever the session time zone is.
 *
 * A job-day row holds GPU-hours only; its cost is `round(gpu_hours × rate, 12)`, where a cell's
 * rate is its snapshot cost ÷ its GPU-hours (0 without a snapshot). The day tables hold those
 * costs summed. A refresh therefore has two ways of working:
 *  - by changed jobs (the usual one): remove and re-insert the job-days of the jobs marked since
 *    the last refresh, move the cells' GPU-hours by the difference, and move the day tables by
 *    the difference of each affected row's cost; only cells whose rate changed are read whole;
 *  - by cells (a rebuild, a bulk load): recompute listed cells from `jobs` and re-sum their days.
 * Both give the same numbers to the last digit (a property test holds them to it).
 */

/** Job-day usage of the jobs in `candidates` (running jobs' end_time already set to $1), days clipped to [lo, hi]. */
const jobDayUsage = (candidates: string, lo: string, hi: string) => `
  SELECT g.day, j.provider, j.gpu_type, j.id AS job_id, j.team_id, j.model_name, j.status,
         g.day = (j.start_time AT TIME ZONE 'UTC')::date AS first_day,
         j.gpu_count * extract(epoch FROM
           least(j.end_time, g.day_start + interval '1 day') - greatest(j.start_time, g.day_start)
         ) / 3600 AS gpu_hours
  FROM ${candidates}
  CROSS JOIN LATERAL (
    SELECT s::date AS day, s AT TIME ZONE 'UTC' AS day_start
    FROM generate_series(
      greatest(date_trunc('day', j.start_time AT TIME ZONE 'UTC'), ${lo}),
      least(date_trunc('day', j.end_time AT TIME ZONE 'UTC'), ${hi}),
      interval '1 day') AS s
  ) g`;

/** Rows `a` and `b` are in the same (day, provider, gpu_type) cell. */
export const sameCell = (a: string, b: string) =>
  `${a}.day = ${b}.day AND ${a}.provider = ${b}.provider AND ${a}.gpu_type = ${b}.gpu_type`;

const JOB_DAY_COLUMNS = 'day, provider, gpu_type, job_id, team_id, model_name, status, gpu_hours, first_day';
/** A cell's rate: GPU-hours normalised first, so that equal hours always give the same digits. */
const rate = (snapshot: string, hours: string, used: string) =>
  `CASE WHEN ${used} AND ${snapshot} IS NOT NULL THEN ${snapshot} / ${hours} ELSE 0 END`;
/** What one job-day row costs at a rate. */
export const jobDayCost = (hours: string, cellRate: string) => `round(${hours} * ${cellRate}, 12)`;

const CHANGE_ROW_COLUMNS =
  'day date, provider text, gpu_type text, job_id uuid, team_id uuid, model_name text, gpu_hours numeric, first_day boolean';

/**
 * The work tables of a refresh: temp tables of the connection, created by its first refresh and
 * emptied by every commit. Created and dropped in each refresh, each cost a few milliseconds of
 * files made and unlinked (a table, its TOAST table and index): some 35 ms a refresh.
 */
const WORK_TABLES = {
  /** The cells a refresh works on (all a cells-path worker needs). */
  allocation_refresh_cells: `day date NOT NULL, provider text NOT NULL, gpu_type text NOT NULL, recompute boolean NOT NULL DEFAULT true,
     PRIMARY KEY (day, provider, gpu_type)`,
  /** The changed jobs a refresh claims, as the UTC days of each interval. */
  allocation_refresh_jobs: `job_id uuid NOT NULL, provider text NOT NULL, gpu_type text NOT NULL, first_day date NOT NULL, last_day date NOT NULL,
     new_job boolean NOT NULL`,
  allocation_doomed: `day date, provider text, gpu_type text, job_id uuid`,
  allocation_removed: CHANGE_ROW_COLUMNS,
  allocation_added: CHANGE_ROW_COLUMNS,
  allocation_cell_changes: `day date, provider text, gpu_type text, snapshot_cost_usd numeric, gpu_hours numeric, job_count int,
     old_rate numeric, new_rate numeric, old_unpriced boolean, new_unpriced boolean`,
  allocation_day_deltas: `day date, team_id uuid, model_name text, gpu_hours numeric, cost_usd numeric, unpriced_gpu_hours numeric,
     job_count int, jobs_started int`,
};
const WORK_TABLE_NAMES = Object.keys(WORK_TABLES);

/** Whether this connection has the work tables (the last one created stands for all). */
export const WORK_TABLES_READY = `SELECT to_regclass('pg_temp.${WORK_TABLE_NAMES[WORK_TABLE_NAMES.length - 1]}') IS NOT NULL AS ready`;

/** Creates the work tables; one simple-protocol round trip. */
export const CREATE_WORK_TABLES = Object.entries(WORK_TABLES)
  .map(([name, columns]) => `CREATE TEMP TABLE ${name} (${columns}) ON COMMIT DELETE ROWS`)
  .join(';\n');

/** Empties the work tables: a commit does, but a second refresh in one transaction finds the first one's rows. */
export const EMPTY_WORK_TABLES = WORK_TABLE_NAMES.map((name) => `DELETE FROM pg_temp.${name}`).join(';\n');

/**
 * Takes every committed cell mark; marks of transactions still open stay for their own refresh.
 * A cell is recomputed from `jobs` if any of its marks asks for it; a changed snapshot only
 * changes the cell's rate.
 */
export const CLAIM_DIRTY_CELLS = `
  WITH claimed AS (DELETE FROM allocation_dirty_cells RETURNING day, provider, gpu_type, recompute)
  INSERT INTO allocation_refresh_cells (day, provider, gpu_type, recompute)
  SELECT day, provider, gpu_type, bool_or(recompute) FROM claimed GROUP BY day, provider, gpu_type`;

/** Takes every committed job mark as the UTC days of the interval (a running one up to $1). */
export const CLAIM_DIRTY_JOBS = `
  WITH claimed AS (DELETE FROM allocation_dirty_jobs RETURNING job_id, provider, gpu_type, start_time, end_time, new_job)
  INSERT INTO allocation_refresh_jobs (job_id, provider, gpu_type, first_day, last_day, new_job)
  SELECT DISTINCT job_id, provider, gpu_type, (start_time AT TIME ZONE 'UTC')::date,
         (greatest(coalesce(end_time, $1::timestamptz), start_time) AT TIME ZONE 'UTC')::date, new_job
  FROM claimed`;

/** The cells path recomputes every cell a marked job was or is in. */
export const CELLS_OF_REFRESH_JOBS = `
  INSERT INTO allocation_refresh_cells (day, provider, gpu_type)
  SELECT DISTINCT d::date, i.provider, i.gpu_type
  FROM (SELECT DISTINCT provider, gpu_type, first_day, last_day FROM allocation_refresh_jobs) i
  CROSS JOIN LATERAL generate_series(i.first_day::timestamp, i.last_day::timestamp, interval '1 day') AS d
  ON CONFLICT DO NOTHING`;

// ---- the cells path -------------------------------------------------------------------------

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
  candidate_days AS MATERIALIZED (${jobDayUsage('bounds b CROSS JOIN candidates j', 'b.lo', 'b.hi')}),
  usage AS (
    SELECT d.* FROM candidate_days d
    JOIN allocation_refresh_cells r ON ${sameCell('r', 'd')}
    WHERE d.gpu_hours > 0
  ),
  -- Written in key order: a cell's rows share a few pages (a re-priced cell is read whole) and
  -- the primary key is appended to rather than split at random.
  job_days AS (
    INSERT INTO job_day_allocations (${JOB_DAY_COLUMNS}) SELECT ${JOB_DAY_COLUMNS} FROM usage ORDER BY day, provider, gpu_type, job_id
  ),
  cell_usage AS (
    SELECT day, provider, gpu_type, trim_scale(sum(gpu_hours)) AS gpu_hours, count(*) AS job_count
    FROM usage GROUP BY day, provider, gpu_type
  )
  INSERT INTO allocation_cells
    (day, provider, gpu_type, snapshot_cost_usd, gpu_hours, allocated_usd, unallocated_usd, unpriced_gpu_hours, job_count, rate, refreshed_at)
  SELECT r.day, r.provider, r.gpu_type, s.cost_usd,
         coalesce(u.gpu_hours, 0),
         CASE WHEN u.day IS NOT NULL AND s.id IS NOT NULL THEN s.cost_usd ELSE 0 END,
         CASE WHEN u.day IS NULL THEN s.cost_usd ELSE 0 END,
         CASE WHEN s.id IS NULL THEN u.gpu_hours ELSE 0 END,
         coalesce(u.job_count, 0),
         ${rate('s.cost_usd', 'u.gpu_hours', 'u.day IS NOT NULL')},
         $1::timestamptz
  FROM allocation_refresh_cells r
  LEFT JOIN cost_snapshots s ON s.entry_date = r.day AND s.provider = r.provider AND s.gpu_type = r.gpu_type
  LEFT JOIN cell_usage u ON ${sameCell('u', 'r')}
  WHERE s.id IS NOT NULL OR u.day IS NOT NULL`;

const DIRTY_DAYS = `day IN (SELECT DISTINCT day FROM allocation_refresh_cells)`;
const DAY_TABLE_COLUMNS = 'gpu_hours, cost_usd, unpriced_gpu_hours, job_count, jobs_started';

/**
 * The day tables are re-summed for the days that had a listed cell, each written in day order
 * so that a range read after a large refresh finds its rows on few pages (twice as fast for 30
 * days). Day × team × model is summed from the job-day rows at their cells' rates; day × team
 * and day × model from it, a third as many rows (a job has one team and one model).
 */
export const RESUM_DAY_TABLES = [
  ...['allocation_team_model_days', 'allocation_team_days', 'allocation_model_days'].map(
    (table) => `DELETE FROM ${table} WHERE ${DIRTY_DAYS}`,
  ),
  `INSERT INTO allocation_team_model_days (day, team_id, model_name, ${DAY_TABLE_COLUMNS})
   SELECT a.day, a.team_id, a.model_name, trim_scale(sum(a.gpu_hours)), sum(${jobDayCost('a.gpu_hours', 'c.rate')}),
          trim_scale(sum(CASE WHEN c.snapshot_cost_usd IS NULL THEN a.gpu_hours ELSE 0 END)),
          count(*), count(*) FILTER (WHERE a.first_day)
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
   SELECT day, ${key}, trim_scale(sum(gpu_hours)), sum(cost_usd), trim_scale(sum(unpriced_gpu_hours)), sum(job_count), sum(jobs_started)
   FROM allocation_team_model_days WHERE ${DIRTY_DAYS}
   GROUP BY day, ${key} ORDER BY day, ${key}`,
  ),
];

// ---- the changed-jobs path ------------------------------------------------------------------

const CHANGE_ROW_NAMES = 'day, provider, gpu_type, job_id, team_id, model_name, gpu_hours, first_day';

/**
 * The job-day rows of every interval a changed job had or has (they are about to be replaced); a
 * new job's interval has none. Their keys are listed and analysed first: estimated blind, the
 * list looks large enough for the planner to scan every job-day instead of probing the primary key.
 */
export const REMOVE_JOB_DAYS = [
  `INSERT INTO allocation_doomed
   SELECT DISTINCT d::date, i.provider, i.gpu_type, i.job_id
   FROM allocation_refresh_jobs i
   CROSS JOIN LATERAL generate_series(i.first_day::timestamp, i.last_day::timestamp, interval '1 day') AS d
   WHERE NOT i.new_job`,
  `ANALYZE allocation_doomed`,
  `WITH gone AS (
     DELETE FROM job_day_allocations a USING allocation_doomed x
     WHERE ${sameCell('a', 'x')} AND a.job_id = x.job_id
     RETURNING ${CHANGE_ROW_NAMES.replace(/(\w+)/g, 'a.$1')}
   )
   INSERT INTO allocation_removed SELECT * FROM gone`,
];

/** The job-day rows of the marked jobs as they are now. */
export const ADD_JOB_DAYS = `
  WITH candidates AS (
    SELECT id, provider, gpu_type, team_id, model_name, status, gpu_count, start_time, coalesce(end_time, $1::timestamptz) AS end_time
    FROM jobs
    WHERE id IN (SELECT job_id FROM allocation_refresh_jobs) AND status <> 'queued'
  ),
  fresh AS (
    INSERT INTO job_day_allocations (${JOB_DAY_COLUMNS})
    SELECT ${JOB_DAY_COLUMNS} FROM (${jobDayUsage('candidates j', "'-infinity'::timestamp", "'infinity'::timestamp")}) u
    WHERE u.gpu_hours > 0
    ORDER BY day, provider, gpu_type, job_id
    RETURNING ${CHANGE_ROW_NAMES}
  )
  INSERT INTO allocation_added SELECT * FROM fresh`;

/**
 * Every cell whose usage or snapshot changed, with its GPU-hours and job count moved by the
 * difference, and its rate and pricing before and after.
 */
export const MEASURE_CELL_CHANGES = `
  WITH delta AS (
    SELECT day, provider, gpu_type, sum(gpu_hours) AS gpu_hours, sum(jobs) AS jobs FROM (
      SELECT day, provider, gpu_type, gpu_hours, 1 AS jobs FROM allocation_added
      UNION ALL
      SELECT day, provider, gpu_type, -gpu_hours, -1 FROM allocation_removed
    ) x GROUP BY day, provider, gpu_type
  ),
  touched AS (
    SELECT day, provider, gpu_type FROM delta UNION SELECT day, provider, gpu_type FROM allocation_refresh_cells
  )
  INSERT INTO allocation_cell_changes
  SELECT t.day, t.provider, t.gpu_type, s.cost_usd, n.gpu_hours, n.job_count,
         coalesce(c.rate, 0), ${rate('s.cost_usd', 'n.gpu_hours', 'n.job_count > 0')},
         c.snapshot_cost_usd IS NULL, s.cost_usd IS NULL
  FROM touched t
  LEFT JOIN allocation_cells c ON ${sameCell('c', 't')}
  LEFT JOIN delta d ON ${sameCell('d', 't')}
  LEFT JOIN cost_snapshots s ON s.entry_date = t.day AND s.provider = t.provider AND s.gpu_type = t.gpu_type
  CROSS JOIN LATERAL (
    SELECT trim_scale(coalesce(c.gpu_hours, 0) + coalesce(d.gpu_hours, 0)) AS gpu_hours,
           (coalesce(c.job_count, 0) + coalesce(d.jobs, 0))::int AS job_count
  ) n`;

/** Changed cells left with neither a snapshot nor a job go. */
export const DROP_EMPTY_CELLS = `
  DELETE FROM allocation_cells c USING allocation_cell_changes x
  WHERE ${sameCell('c', 'x')} AND x.snapshot_cost_usd IS NULL AND x.job_count = 0`;

/** The other changed cells written back: the same columns the cells path writes. */
export const WRITE_CHANGED_CELLS = `
  INSERT INTO allocation_cells AS c
    (day, provider, gpu_type, snapshot_cost_usd, gpu_hours, allocated_usd, unallocated_usd, unpriced_gpu_hours, job_count, rate, refreshed_at)
  SELECT day, provider, gpu_type, snapshot_cost_usd, gpu_hours,
         CASE WHEN job_count > 0 AND snapshot_cost_usd IS NOT NULL THEN snapshot_cost_usd ELSE 0 END,
         CASE WHEN job_count = 0 THEN snapshot_cost_usd ELSE 0 END,
         CASE WHEN snapshot_cost_usd IS NULL THEN gpu_hours ELSE 0 END,
         job_count, new_rate, $1::timestamptz
  FROM allocation_cell_changes
  WHERE snapshot_cost_usd IS NOT NULL OR job_count > 0
  ON CONFLICT (day, provider, gpu_type) DO UPDATE SET
    snapshot_cost_usd = EXCLUDED.snapshot_cost_usd, gpu_hours = EXCLUDED.gpu_hours, allocated_usd = EXCLUDED.allocated_usd,
    unallocated_usd = EXCLUDED.unallocated_usd, unpriced_gpu_hours = EXCLUDED.unpriced_gpu_hours,
    job_count = EXCLUDED.job_count, rate = EXCLUDED.rate, refreshed_at = EXCLUDED.refreshed_at`;

/**
 * What each day × team × model gains or loses. Removed and added rows count at the old rate of
 * their cell; every row of a cell whose rate or pricing changed then moves from the old rate to
 * the new one. Summed, that is exactly the day table re-summed at the new rates, because each
 * row's cost is rounded on its own (`jobDayCost`) the same way on both sides.
 */
export const MEASURE_DAY_DELTAS = `
  INSERT INTO allocation_day_deltas
  SELECT day, team_id, model_name, sum(gpu_hours), sum(cost_usd), sum(unpriced_gpu_hours), sum(job_count), sum(jobs_started)
  FROM (
    SELECT a.day, a.team_id, a.model_name, 0 AS gpu_hours,
           ${jobDayCost('a.gpu_hours', 'x.new_rate')} - ${jobDayCost('a.gpu_hours', 'x.old_rate')} AS cost_usd,
           CASE WHEN x.new_unpriced = x.old_unpriced THEN 0 WHEN x.new_unpriced THEN a.gpu_hours ELSE -a.gpu_hours END AS unpriced_gpu_hours,
           0 AS job_count, 0 AS jobs_started
    FROM allocation_cell_changes x
    JOIN job_day_allocations a ON ${sameCell('a', 'x')}
    WHERE x.new_rate <> x.old_rate OR x.new_unpriced <> x.old_unpriced
    UNION ALL
    SELECT r.day, r.team_id, r.model_name, r.gpu_hours, ${jobDayCost('r.gpu_hours', 'x.old_rate')},
           CASE WHEN x.old_unpriced THEN r.gpu_hours ELSE 0 END, 1, r.first_day::int
    FROM allocation_added r JOIN allocation_cell_changes x ON ${sameCell('r', 'x')}
    UNION ALL
    SELECT r.day, r.team_id, r.model_name, -r.gpu_hours, -${jobDayCost('r.gpu_hours', 'x.old_rate')},
           CASE WHEN x.old_unpriced THEN -r.gpu_hours ELSE 0 END, -1, -r.first_day::int
    FROM allocation_removed r JOIN allocation_cell_changes x ON ${sameCell('r', 'x')}
  ) d
  GROUP BY day, team_id, model_name`;

const DAY_TABLES = [
  { table: 'allocation_team_model_days', keys: ['team_id', 'model_name'] },
  { table: 'allocation_team_days', keys: ['team_id'] },
  { table: 'allocation_model_days', keys: ['model_name'] },
] as const;

/** The deltas added to the three day tables; groups that lost their last job go. */
export const APPLY_DAY_DELTAS = DAY_TABLES.flatMap(({ table, keys }) => {
  const key = ['day', ...keys].join(', ');
  return [
    `INSERT INTO ${table} AS t (${key}, ${DAY_TABLE_COLUMNS})
     SELECT ${key}, trim_scale(sum(gpu_hours)), sum(cost_usd), trim_scale(sum(unpriced_gpu_hours)), sum(job_count), sum(jobs_started)
     FROM allocation_day_deltas GROUP BY ${key}
     ON CONFLICT (${key}) DO UPDATE SET
       gpu_hours = trim_scale(t.gpu_hours + EXCLUDED.gpu_hours), cost_usd = t.cost_usd + EXCLUDED.cost_usd,
       unpriced_gpu_hours = trim_scale(t.unpriced_gpu_hours + EXCLUDED.unpriced_gpu_hours),
       job_count = t.job_count + EXCLUDED.job_count, jobs_started = t.jobs_started + EXCLUDED.jobs_started`,
    `DELETE FROM ${table} t USING (SELECT DISTINCT ${key} FROM allocation_day_deltas WHERE job_count < 0) d
     WHERE ${['day', ...keys].map((k) => `t.${k} = d.${k}`).join(' AND ')} AND t.job_count = 0`,
  ];
});

// ---- marks ----------------------------------------------------------------------------------

/** A CTE recording `seconds`, the longest finished interval of a batch, when it beats the recorded bound. */
const recordLongest = (seconds: string) => `WITH longest AS (
    INSERT INTO allocation_span_bounds (longest_seconds)
    SELECT ${seconds}::float8 WHERE ${seconds}::float8 > (SELECT coalesce(max(longest_seconds), 0) FROM allocation_span_bounds)
  )`;

/**
 * A job's intervals (old and new version), as parallel arrays $1..$5 (job id, provider, GPU
 * type, start, end) and $7 (whether the job is new); $6: the longest finished interval in
 * seconds, recorded when it beats the recorded bound.
 */
export const MARK_JOB_INTERVALS = `
  ${recordLongest('$6')}
  INSERT INTO allocation_dirty_jobs (job_id, provider, gpu_type, start_time, end_time, new_job)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $7::boolean[])`;

/**
 * The cells of job intervals, to be recomputed from `jobs`: how a bulk load marks its jobs past
 * the first CELLS_PATH_INTERVALS (a few hundred distinct cells per batch instead of a row per
 * job). $1..$4: parallel arrays (provider, GPU type, start, end); $5: as in MARK_JOB_INTERVALS.
 */
export const MARK_INTERVAL_CELLS = `
  ${recordLongest('$5')}
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type, recompute)
  SELECT DISTINCT d::date, i.provider, i.gpu_type, true
  FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])) AS i(provider, gpu_type, start_time, end_time)
  CROSS JOIN LATERAL generate_series(
    date_trunc('day', i.start_time AT TIME ZONE 'UTC'),
    date_trunc('day', coalesce(i.end_time, now()) AT TIME ZONE 'UTC'),
    interval '1 day') AS d`;

/** Cells whose snapshot changed: their rate changes, their usage does not. */
export const MARK_SNAPSHOT_CELLS = `
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type, recompute)
  SELECT DISTINCT c.day, c.provider, c.gpu_type, false
  FROM unnest($1::date[], $2::text[], $3::text[]) AS c(day, provider, gpu_type)`;

/**
 * When running jobs were last measured more than $1 seconds ago: the cells of their days since
 * then (today's, and the days of a quiet spell) are marked to be recomputed, so that their usage
 * keeps growing. The check row is moved in the same statement, so concurrent readers mark once.
 */
export const MARK_STALE_RUNNING_CELLS = `
  WITH due AS (
    UPDATE allocation_running_checks c SET measured_at = now()
    FROM (SELECT measured_at AS since FROM allocation_running_checks) p
    WHERE c.measured_at < now() - make_interval(secs => $1)
    RETURNING p.since
  )
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type, recompute)
  SELECT DISTINCT d::date, j.provider, j.gpu_type, true
  FROM due
  CROSS JOIN jobs j
  CROSS JOIN LATERAL generate_series(
    date_trunc('day', greatest(j.start_time, due.since) AT TIME ZONE 'UTC'), date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d
  WHERE j.end_time IS NULL AND j.status <> 'queued' AND j.start_time < now()`;

export const RUNNING_JOBS_MEASURED_NOW = `UPDATE allocation_running_checks SET measured_at = $1::timestamptz`;

/** Every cell that can hold usage or a snapshot, to be recomputed from `jobs` (a rebuild). */
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

/** Emptied by a rebuild (the running-jobs check row stays). */
export const DERIVED_TABLES = [
  'allocation_dirty_cells',
  'allocation_dirty_jobs',
  'allocation_cells',
  'job_day_allocations',
  'allocation_span_bounds',
  'allocation_team_days',
  'allocation_model_days',
  'allocation_team_model_days',
];
