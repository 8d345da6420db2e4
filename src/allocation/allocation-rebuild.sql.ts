import { notArchived } from './archived-days.sql';

/** The SQL only a rebuild runs: it marks every cell and measures the span bound afresh. */

export const RUNNING_JOBS_MEASURED_NOW = `UPDATE allocation_running_checks SET measured_at = $1::timestamptz`;

/** Every cell that can hold usage or a snapshot, to be recomputed from `jobs` (a rebuild); archived days stay. */
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
  CROSS JOIN LATERAL generate_series(x.lo::timestamp, x.hi::timestamp, interval '1 day') AS d
  WHERE ${notArchived('d')}`;

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
  'allocation_team_model_months',
  'allocation_label_days',
];
