import {
  cellAllocated,
  cellCapacity,
  cellUnallocated,
  CELL_COLUMNS,
  DAY_SUMS_SUMMED,
  DAY_TABLE_COLUMNS,
  JOB_DAY_COLUMNS,
  jobDayCost,
  jobDayIdleShare,
  jobDayMeasuredCost,
  jobDayUsage,
  jobDayUsedCost,
  JOB_USAGE_COLUMNS,
  rate,
  sameCell,
} from './allocation.sql';
import { notArchived } from './archived-days.sql';

/**
 * The changed-jobs path of a refresh: the marked jobs' job-day rows replaced, the cells and day
 * tables moved by the difference.
 */

const CHANGE_ROW_NAMES =
  'day, provider, gpu_type, job_uuid, team_id, model_name, gpu_hours, first_day, labels, gpu_utilization';

/**
 * The job-day rows of every interval a changed job had or has (they are about to be replaced); a
 * new job's interval has none. Their keys are listed and analysed first: estimated blind, the
 * list looks large enough for the planner to scan every job-day instead of probing the primary key.
 */
export const REMOVE_JOB_DAYS = [
  `INSERT INTO allocation_doomed
   SELECT DISTINCT d::date, i.provider, i.gpu_type, i.job_uuid
   FROM allocation_refresh_jobs i
   CROSS JOIN LATERAL generate_series(i.first_day::timestamp, i.last_day::timestamp, interval '1 day') AS d
   WHERE NOT i.new_job`,
  `ANALYZE allocation_doomed`,
  `WITH gone AS (
     DELETE FROM job_day_allocations a USING allocation_doomed x
     WHERE ${sameCell('a', 'x')} AND a.job_uuid = x.job_uuid
     RETURNING ${CHANGE_ROW_NAMES.replace(/(\w+)/g, 'a.$1')}
   )
   INSERT INTO allocation_removed SELECT * FROM gone`,
];

/**
 * The job-day rows of the marked jobs as they are now, on the days that are not archived. They
 * are written to job_day_allocations after the day deltas are measured (WRITE_ADDED_JOB_DAYS):
 * until then the table holds only the rows the change leaves in place.
 */
export const ADD_JOB_DAYS = `
  WITH candidates AS (
    SELECT ${JOB_USAGE_COLUMNS}, coalesce(end_time, $1::timestamptz) AS end_time
    FROM jobs
    WHERE id IN (SELECT job_uuid FROM allocation_refresh_jobs) AND status <> 'queued'
  )
  INSERT INTO allocation_added (${JOB_DAY_COLUMNS})
  SELECT ${JOB_DAY_COLUMNS} FROM (${jobDayUsage('candidates j', "'-infinity'::timestamp", "'infinity'::timestamp")}) u
  WHERE u.gpu_hours > 0 AND ${notArchived('u.day')}`;

/** The new job-day rows written, in the table's key order. */
export const WRITE_ADDED_JOB_DAYS = `
  INSERT INTO job_day_allocations (${JOB_DAY_COLUMNS})
  SELECT ${JOB_DAY_COLUMNS} FROM allocation_added
  ORDER BY day, provider, gpu_type, job_uuid`;

/**
 * Every cell whose usage, snapshot or capacity changed, with its GPU-hours and job count moved by
 * the difference, its rates and pricing before and after, and the capacity that covers it now.
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
         coalesce(c.rate, 0), ${rate('s.cost_usd', 'n.gpu_hours', 'n.job_count > 0', 'k.gpu_hours')},
         c.snapshot_cost_usd IS NULL, s.cost_usd IS NULL,
         coalesce(c.share_rate, 0), ${rate('s.cost_usd', 'n.gpu_hours', 'n.job_count > 0')},
         k.id, k.gpu_hours, k.owner_team_id
  FROM touched t
  LEFT JOIN allocation_cells c ON ${sameCell('c', 't')}
  LEFT JOIN delta d ON ${sameCell('d', 't')}
  LEFT JOIN cost_snapshots s ON s.entry_date = t.day AND s.provider = t.provider AND s.gpu_type = t.gpu_type
  ${cellCapacity('t')}
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
    (${CELL_COLUMNS})
  SELECT day, provider, gpu_type, snapshot_cost_usd, gpu_hours, a.allocated,
         ${cellUnallocated('snapshot_cost_usd', 'a.allocated')},
         CASE WHEN snapshot_cost_usd IS NULL THEN gpu_hours ELSE 0 END,
         job_count, new_rate, $1::timestamptz, new_share_rate, capacity_id, capacity_gpu_hours, owner_team_id
  FROM allocation_cell_changes
  CROSS JOIN LATERAL (
    SELECT ${cellAllocated('snapshot_cost_usd', 'gpu_hours', 'job_count > 0', 'capacity_gpu_hours', 'new_rate')} AS allocated
  ) a
  WHERE snapshot_cost_usd IS NOT NULL OR job_count > 0
  ON CONFLICT (day, provider, gpu_type) DO UPDATE SET
    snapshot_cost_usd = EXCLUDED.snapshot_cost_usd, gpu_hours = EXCLUDED.gpu_hours, allocated_usd = EXCLUDED.allocated_usd,
    unallocated_usd = EXCLUDED.unallocated_usd, unpriced_gpu_hours = EXCLUDED.unpriced_gpu_hours,
    job_count = EXCLUDED.job_count, rate = EXCLUDED.rate, refreshed_at = EXCLUDED.refreshed_at,
    share_rate = EXCLUDED.share_rate, capacity_id = EXCLUDED.capacity_id,
    capacity_gpu_hours = EXCLUDED.capacity_gpu_hours, owner_team_id = EXCLUDED.owner_team_id`;

/**
 * What a priced job-day row `p` (below) counts for in the day tables at one of its cell's
 * states: `old` or `new` rates and pricing.
 */
const rowSums = (p: string, side: 'old' | 'new') => {
  const [cellRate, cost] = [`${p}.${side}_rate`, `${p}.${side}_cost`];
  return `
  ${p}.gpu_hours AS gpu_hours, ${cost} AS cost_usd,
  CASE WHEN ${p}.${side}_unpriced THEN ${p}.gpu_hours ELSE 0 END AS unpriced_gpu_hours, 1 AS job_count, ${p}.first_day::int AS jobs_started,
  ${jobDayIdleShare(`${p}.gpu_hours`, cellRate, `${p}.${side}_share_rate`, cost)} AS idle_share_usd,
  ${jobDayMeasuredCost(`${p}.gpu_hours`, cellRate, `${p}.gpu_utilization`, cost)} AS measured_cost_usd,
  ${jobDayUsedCost(`${p}.gpu_hours`, cellRate, `${p}.gpu_utilization`, cost)} AS used_cost_usd`;
};

/**
 * Job-day rows `a` (from `rows`) of the changed cells `x`, with their cost at each of the
 * cell's states in `sides` computed once. OFFSET 0 keeps this subquery whole: flattened, every
 * sum of rowSums would multiply and round the row's cost again.
 */
const priced = (rows: string, sides: ('old' | 'new')[], where = '') => `(
    SELECT a.day, a.team_id, a.model_name, a.labels, a.gpu_hours, a.first_day, a.gpu_utilization,
           ${sides
             .map(
               (side) => `x.${side}_rate, x.${side}_share_rate, x.${side}_unpriced,
           ${jobDayCost('a.gpu_hours', `x.${side}_rate`)} AS ${side}_cost`,
             )
             .join(',\n           ')}
    FROM allocation_cell_changes x JOIN ${rows} a ON ${sameCell('a', 'x')}
    ${where}
    OFFSET 0
  ) p`;

const SUMS = ['gpu_hours', 'cost_usd', 'unpriced_gpu_hours', 'job_count', 'jobs_started', 'idle_share_usd'].concat([
  'measured_cost_usd',
  'used_cost_usd',
]);

/**
 * What each day × team × model, and each label key × day × team × value, gains or loses: one
 * pass over the affected job-day rows, grouped twice. A removed row takes off what it counted
 * for at the old rate of its cell and an added row counts at the new one; every row the change
 * left in place in a cell whose rate or pricing changed moves from the old rate to the new one
 * (the difference of its sums at the two). Summed, that is exactly the day tables re-summed at
 * the new rates, because each row's cost is rounded on its own (`jobDayCost`) the same way on
 * both sides. The added rows are not in job_day_allocations yet (ADD_JOB_DAYS), so each is
 * priced once, at the new rate, instead of at the old one and then moved with the rows already
 * there: a one-day upload's 3,700 new job-days are priced once instead of three times and
 * grouped once instead of twice (27,000 rows grouped down to 23,000). A row counts for each of
 * its labels: the rows are summed by day, team and label set first (a few per team and day),
 * then spread to their labels, a label delta a set; APPLY_DAY_DELTAS sums those of the same label
 * row. Spreading every job-day row and sorting the pairs took 250-350 ms of a one-day upload at a
 * million jobs.
 */
export const MEASURE_DAY_DELTAS = `
  WITH moved AS (
    SELECT p.day, p.team_id, p.model_name, p.labels, n.gpu_hours - o.gpu_hours AS gpu_hours, n.cost_usd - o.cost_usd AS cost_usd,
           n.unpriced_gpu_hours - o.unpriced_gpu_hours AS unpriced_gpu_hours, 0 AS job_count, 0 AS jobs_started,
           n.idle_share_usd - o.idle_share_usd AS idle_share_usd, n.measured_cost_usd - o.measured_cost_usd AS measured_cost_usd,
           n.used_cost_usd - o.used_cost_usd AS used_cost_usd
    FROM ${priced(
      'job_day_allocations',
      ['old', 'new'],
      'WHERE x.new_rate <> x.old_rate OR x.new_share_rate <> x.old_share_rate OR x.new_unpriced <> x.old_unpriced',
    )}
    CROSS JOIN LATERAL (SELECT ${rowSums('p', 'new')}) n
    CROSS JOIN LATERAL (SELECT ${rowSums('p', 'old')}) o
    UNION ALL
    SELECT p.day, p.team_id, p.model_name, p.labels, ${rowSums('p', 'new')}
    FROM ${priced('allocation_added', ['new'])}
    UNION ALL
    SELECT p.day, p.team_id, p.model_name, p.labels, ${SUMS.map((c) => `-s.${c}`).join(', ')}
    FROM ${priced('allocation_removed', ['old'])}
    CROSS JOIN LATERAL (SELECT ${rowSums('p', 'old')}) s
  ),
  -- Both groupings in one hashing pass over the rows, instead of writing every moved row down and
  -- reading it twice. With the costs computed once, about 10 % off this statement on a re-priced
  -- day of a million jobs.
  grouped AS MATERIALIZED (
    SELECT day, team_id, model_name, labels, GROUPING(model_name) AS by_labels, ${SUMS.map((c) => `sum(m.${c}) AS ${c}`).join(', ')}
    FROM moved m GROUP BY GROUPING SETS ((day, team_id, model_name), (day, team_id, labels))
  ),
  by_model AS (
    INSERT INTO allocation_day_deltas
    SELECT day, team_id, model_name, ${SUMS.join(', ')} FROM grouped WHERE by_labels = 0
  )
  INSERT INTO allocation_label_deltas
  SELECT l.key, b.day, b.team_id, l.value, ${SUMS.map((c) => `b.${c}`).join(', ')}
  FROM grouped b CROSS JOIN LATERAL jsonb_each_text(b.labels) l
  WHERE b.by_labels = 1`;

/** A table of sums the deltas move: its key columns, and how each is read from the deltas (by default, as is). */
interface SumsTable {
  table: string;
  keys: string[];
  deltas: string;
  from?: string[];
}

const DAY_TABLES: SumsTable[] = [
  { table: 'allocation_team_model_days', keys: ['day', 'team_id', 'model_name'], deltas: 'allocation_day_deltas' },
  { table: 'allocation_team_days', keys: ['day', 'team_id'], deltas: 'allocation_day_deltas' },
  { table: 'allocation_model_days', keys: ['day', 'model_name'], deltas: 'allocation_day_deltas' },
  {
    table: 'allocation_team_model_months',
    keys: ['month', 'team_id', 'model_name'],
    deltas: 'allocation_day_deltas',
    from: [`date_trunc('month', day)::date`, 'team_id', 'model_name'],
  },
  {
    table: 'allocation_label_days',
    keys: ['label_key', 'day', 'team_id', 'label_value'],
    deltas: 'allocation_label_deltas',
  },
];

/** How the deltas move one day (or month) table: `add` sums them in; `dropEmpty` removes the groups left without a job. */
interface DeltasApplied {
  deltas: string;
  add: string;
  dropEmpty: string;
}

/** The deltas added to the day (and month) tables; groups that lost their last job go. */
export const APPLY_DAY_DELTAS: DeltasApplied[] = DAY_TABLES.map(({ table, keys, deltas, from = keys }) => {
  const key = keys.join(', ');
  const read = from.map((f, i) => (f === keys[i] ? f : `${f} AS ${keys[i]}`)).join(', ');
  return {
    deltas,
    add: `INSERT INTO ${table} AS t (${key}, ${DAY_TABLE_COLUMNS})
     SELECT ${read}, ${DAY_SUMS_SUMMED}
     FROM ${deltas} GROUP BY ${from.join(', ')}
     ON CONFLICT (${key}) DO UPDATE SET
       gpu_hours = trim_scale(t.gpu_hours + EXCLUDED.gpu_hours), cost_usd = t.cost_usd + EXCLUDED.cost_usd,
       unpriced_gpu_hours = trim_scale(t.unpriced_gpu_hours + EXCLUDED.unpriced_gpu_hours),
       job_count = t.job_count + EXCLUDED.job_count, jobs_started = t.jobs_started + EXCLUDED.jobs_started,
       idle_share_usd = t.idle_share_usd + EXCLUDED.idle_share_usd,
       measured_cost_usd = t.measured_cost_usd + EXCLUDED.measured_cost_usd, used_cost_usd = t.used_cost_usd + EXCLUDED.used_cost_usd`,
    dropEmpty: `DELETE FROM ${table} t USING (SELECT DISTINCT ${read} FROM ${deltas} WHERE job_count < 0) d
     WHERE ${keys.map((k) => `t.${k} = d.${k}`).join(' AND ')} AND t.job_count = 0`,
  };
});

/**
 * The deltas tables in which some group lost a job: only their day tables can have groups left
 * without one. An upload of new jobs or of bills loses none, and skips five deletes.
 */
export const DELTAS_LOSING_JOBS = [...new Set(DAY_TABLES.map((t) => t.deltas))]
  .map((deltas) => `SELECT '${deltas}' AS deltas WHERE EXISTS (SELECT 1 FROM ${deltas} WHERE job_count < 0)`)
  .join('\nUNION ALL\n');
