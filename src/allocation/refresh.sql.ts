/** What every refresh starts with, whichever path it then takes: its work tables and the marks it claims. */

const CHANGE_ROW_COLUMNS =
  'day date, provider text, gpu_type text, job_uuid uuid, team_id uuid, model_name text, gpu_hours numeric, first_day boolean, ' +
  'labels jsonb, gpu_utilization numeric';

/** The sums every day table keeps, as work-table columns. */
const SUM_COLUMNS = `gpu_hours numeric, cost_usd numeric, unpriced_gpu_hours numeric, job_count int, jobs_started int,
     idle_share_usd numeric, measured_cost_usd numeric, used_cost_usd numeric`;

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
  allocation_refresh_jobs: `job_uuid uuid NOT NULL, provider text NOT NULL, gpu_type text NOT NULL, first_day date NOT NULL, last_day date NOT NULL,
     new_job boolean NOT NULL`,
  allocation_doomed: `day date, provider text, gpu_type text, job_uuid uuid`,
  allocation_removed: CHANGE_ROW_COLUMNS,
  /** The changed jobs' job-days as they are now (with their status), before they are written. */
  allocation_added: `${CHANGE_ROW_COLUMNS}, status text`,
  allocation_cell_changes: `day date, provider text, gpu_type text, snapshot_cost_usd numeric, gpu_hours numeric, job_count int,
     old_rate numeric, new_rate numeric, old_unpriced boolean, new_unpriced boolean,
     old_share_rate numeric, new_share_rate numeric, capacity_id uuid, capacity_gpu_hours numeric, owner_team_id uuid`,
  allocation_day_deltas: `day date, team_id uuid, model_name text, ${SUM_COLUMNS}`,
  /** What each label key × day × team × value gains or loses (allocation_label_days). */
  allocation_label_deltas: `label_key text, day date, team_id uuid, label_value text, ${SUM_COLUMNS}`,
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
 * changes the cell's rate. Runs of days (a bulk load's marks) are merged before they are spread
 * into cells: a million jobs' batches mark the same days many times over.
 */
export const CLAIM_DIRTY_CELLS = `
  WITH claimed AS (DELETE FROM allocation_dirty_cells RETURNING day, last_day, provider, gpu_type, recompute),
  runs AS (
    SELECT provider, gpu_type, recompute, unnest(range_agg(daterange(day, coalesce(last_day, day), '[]'))) AS days
    FROM claimed GROUP BY provider, gpu_type, recompute
  )
  INSERT INTO allocation_refresh_cells (day, provider, gpu_type, recompute)
  SELECT d::date, provider, gpu_type, bool_or(recompute)
  FROM runs CROSS JOIN LATERAL generate_series(lower(days), upper(days) - 1, interval '1 day') AS d
  GROUP BY 1, 2, 3`;

/** Takes every committed job mark as the UTC days of the interval (a running one up to $1). */
export const CLAIM_DIRTY_JOBS = `
  WITH claimed AS (DELETE FROM allocation_dirty_jobs RETURNING job_uuid, provider, gpu_type, start_time, end_time, new_job)
  INSERT INTO allocation_refresh_jobs (job_uuid, provider, gpu_type, first_day, last_day, new_job)
  SELECT DISTINCT job_uuid, provider, gpu_type, (start_time AT TIME ZONE 'UTC')::date,
         (greatest(coalesce(end_time, $1::timestamptz), start_time) AT TIME ZONE 'UTC')::date, new_job
  FROM claimed`;

/** The cells path recomputes every cell a marked job was or is in. */
export const CELLS_OF_REFRESH_JOBS = `
  INSERT INTO allocation_refresh_cells (day, provider, gpu_type)
  SELECT DISTINCT d::date, i.provider, i.gpu_type
  FROM (SELECT DISTINCT provider, gpu_type, first_day, last_day FROM allocation_refresh_jobs) i
  CROSS JOIN LATERAL generate_series(i.first_day::timestamp, i.last_day::timestamp, interval '1 day') AS d
  ON CONFLICT DO NOTHING`;
