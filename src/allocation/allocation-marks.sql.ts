/** How writers and readers mark what a refresh must bring up to date. */

/**
 * The longest any finished job has lasted, plus a second, as an interval: a finished job that
 * overlaps an instant started less than this before it. Readers bound their scans of `jobs` by
 * start time with it (the allocation's refresh window, the jobs listing's date window).
 */
export const LONGEST_FINISHED_SPAN = `(SELECT make_interval(secs => coalesce(max(longest_seconds), 0) + 1) FROM allocation_span_bounds)`;

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
  INSERT INTO allocation_dirty_jobs (job_uuid, provider, gpu_type, start_time, end_time, new_job)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $7::boolean[])`;

/**
 * The cells of job intervals, to be recomputed from `jobs`: how a bulk load marks its jobs past
 * the first CELLS_PATH_INTERVALS, as runs of days (marked-runs.ts). $1..$4: parallel arrays
 * (provider, GPU type, first day, last day: null for running jobs, whose run lasts until today,
 * or their first day if that is later); $5: as in MARK_JOB_INTERVALS.
 */
export const MARK_RUN_CELLS = `
  ${recordLongest('$5')}
  INSERT INTO allocation_dirty_cells (day, last_day, provider, gpu_type, recompute)
  SELECT r.first_day, nullif(coalesce(r.last_day, greatest(r.first_day, (now() AT TIME ZONE 'UTC')::date)), r.first_day),
         r.provider, r.gpu_type, true
  FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS r(provider, gpu_type, first_day, last_day)`;

/** Cells whose snapshot changed: their rate changes, their usage does not. */
export const MARK_SNAPSHOT_CELLS = `
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type, recompute)
  SELECT DISTINCT c.day, c.provider, c.gpu_type, false
  FROM unnest($1::date[], $2::text[], $3::text[]) AS c(day, provider, gpu_type)`;

/**
 * The cells of capacity periods (before and after a change): their rates and idle follow the
 * capacity, their usage does not. Parallel arrays $1..$4 (provider, GPU type, first day, last day
 * or null for open-ended). Only cells that exist are marked: a cell made later (a new snapshot, a
 * new job) is priced with the capacity of its day when it is made.
 */
export const MARK_CAPACITY_CELLS = `
  INSERT INTO allocation_dirty_cells (day, provider, gpu_type, recompute)
  SELECT DISTINCT c.day, c.provider, c.gpu_type, false
  FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS p(provider, gpu_type, from_date, to_date)
  JOIN allocation_cells c ON c.provider = p.provider AND c.gpu_type = p.gpu_type
   AND c.day >= p.from_date AND (p.to_date IS NULL OR c.day <= p.to_date)`;

/**
 * When running jobs were last measured more than $1 seconds ago: the cells of their days since
 * then (today's, and the days of a quiet spell) are marked to be recomputed, so that their usage
 * keeps growing. The check row is moved in the same statement, so concurrent callers mark once.
 * `lock`: how a caller takes the check row when another transaction holds it (a rebuild or an
 * archive run measures running jobs itself and holds it to its commit).
 */
const markStaleRunningCells = (lock: 'FOR UPDATE' | 'FOR UPDATE SKIP LOCKED') => `
  WITH due AS (
    UPDATE allocation_running_checks c SET measured_at = now()
    FROM (
      SELECT measured_at AS since FROM allocation_running_checks
      WHERE measured_at < now() - make_interval(secs => $1) ${lock}
    ) p
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

/** For an archive run, which must measure running jobs up to its own instant: waits its turn. */
export const MARK_STALE_RUNNING_CELLS = markStaleRunningCells('FOR UPDATE');

/**
 * For a read: when the check row is held, whoever holds it is measuring running jobs, and the
 * read marks nothing rather than queue behind a rebuild for as long as it runs.
 */
export const MARK_STALE_RUNNING_CELLS_UNLESS_HELD = markStaleRunningCells('FOR UPDATE SKIP LOCKED');
