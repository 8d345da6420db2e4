/**
 * The set-based SQL of cost allocation (docs/allocation.md). `$1` is always the instant running
 * jobs are measured up to. Day boundaries are UTC whatever the session time zone is.
 *
 * A job-day row holds GPU-hours only; its cost is `round(gpu_hours × rate, 12)`, where a cell's
 * rate is its snapshot cost ÷ its GPU-hours (0 without a snapshot). The day tables hold those
 * costs summed. A refresh therefore has two ways of working:
 *  - by changed jobs (the usual one, refresh-by-jobs.sql.ts): remove and re-insert the job-days of
 *    the jobs marked since the last refresh, move the cells' GPU-hours by the difference, and move
 *    the day tables by the difference of each affected row's cost; only cells whose rate changed
 *    are read whole;
 *  - by cells (a rebuild, a bulk load, recompute-by-cells.sql.ts): recompute listed cells from
 *    `jobs` and re-sum their days.
 * Both give the same numbers to the last digit (a property test holds them to it). This file
 * holds the fragments both share.
 */

/** Job-day usage of the jobs in `candidates` (running jobs' end_time already set to $1), days clipped to [lo, hi]. */
export const jobDayUsage = (candidates: string, lo: string, hi: string) => `
  SELECT g.day, j.provider, j.gpu_type, j.id AS job_uuid, j.team_id, j.model_name, j.status,
         g.day = (j.start_time AT TIME ZONE 'UTC')::date AS first_day, j.labels, j.gpu_utilization,
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

export const JOB_DAY_COLUMNS =
  'day, provider, gpu_type, job_uuid, team_id, model_name, status, gpu_hours, first_day, labels, gpu_utilization';

/** The columns of `jobs` a job-day is computed from (the candidates of both refresh paths). */
export const JOB_USAGE_COLUMNS =
  'id, provider, gpu_type, team_id, model_name, status, gpu_count, start_time, labels, gpu_utilization';

/**
 * The capacity period covering the cell `cell` (day, provider, gpu_type), joined as `k`: its id,
 * owner team and GPU-hours in a day (all null without one). Periods of one provider × GPU type
 * never overlap (XCL_capacities_no_overlap), so there is at most one, found through that index.
 */
export const cellCapacity = (cell: string) => `
  LEFT JOIN LATERAL (
    SELECT p.id, p.owner_team_id, trim_scale(p.gpu_count * 24) AS gpu_hours FROM capacities p
    WHERE p.provider = ${cell}.provider AND p.gpu_type = ${cell}.gpu_type
      AND daterange(p.from_date, p.to_date, '[]') @> ${cell}.day
  ) k ON true`;

/**
 * A cell's rate: the snapshot over the greater of the GPU-hours used and the capacity's
 * GPU-hours (a cell without capacity, or used beyond it, splits its snapshot by GPU-hours).
 * GPU-hours are normalised first, so that equal hours always give the same digits. Without
 * `capacityHours` it is the share rate (snapshot ÷ GPU-hours used).
 */
export const rate = (snapshot: string, hours: string, used: string, capacityHours = 'NULL') =>
  `CASE WHEN ${used} AND ${snapshot} IS NOT NULL THEN ${snapshot} / greatest(${hours}, ${capacityHours}) ELSE 0 END`;

/**
 * What a cell's jobs are charged: its snapshot, unless capacity priced their GPU-hours below it
 * (the rest is idle). `cellUnallocated` is the rest: idle capacity, or a snapshot nobody used.
 */
export const cellAllocated = (snapshot: string, hours: string, used: string, capacityHours: string, cellRate: string) =>
  `CASE WHEN NOT (${used}) OR ${snapshot} IS NULL THEN 0 WHEN ${capacityHours} > ${hours} THEN ${hours} * ${cellRate} ELSE ${snapshot} END`;
export const cellUnallocated = (snapshot: string, allocated: string) => `coalesce(${snapshot}, 0) - ${allocated}`;

/**
 * What one job-day row costs at a rate. The fragments below take that cost as `cost` where a
 * statement has it computed already: PostgreSQL evaluates each copy of an expression anew.
 */
export const jobDayCost = (hours: string, cellRate: string) => `round(${hours} * ${cellRate}, 12)`;

/**
 * What a job-day row's share of its cell's idle adds to its cost (`idle=share`): its cost at the
 * share rate less its cost at the rate, each rounded as jobDayCost rounds. 0 without capacity,
 * where the two rates are equal: tested first, it spares most rows two products (and is written
 * with the same 12 decimals, so that sums keep the same digits whichever way they were reached).
 */
export const jobDayIdleShare = (
  hours: string,
  cellRate: string,
  shareRate: string,
  cost: string = jobDayCost(hours, cellRate),
) => `CASE WHEN ${shareRate} = ${cellRate} THEN round(0, 12) ELSE ${jobDayCost(hours, shareRate)} - ${cost} END`;

/**
 * The part of a job-day's cost (at a rate) whose job reports its utilization: all of it, or 0
 * when the job does not report it (docs/allocation.md, "Utilization").
 */
export const jobDayMeasuredCost = (
  hours: string,
  cellRate: string,
  utilization: string,
  cost: string = jobDayCost(hours, cellRate),
) => `CASE WHEN ${utilization} IS NULL THEN round(0, 12) ELSE ${cost} END`;

/** A job-day's used cost: its cost × its job's utilization, rounded like a cost; 0 when not reported. */
export const jobDayUsedCost = (
  hours: string,
  cellRate: string,
  utilization: string,
  cost: string = jobDayCost(hours, cellRate),
) => `CASE WHEN ${utilization} IS NULL THEN round(0, 12) ELSE round(${cost} * ${utilization}, 12) END`;

/** Every column of allocation_cells, in the order both refresh paths write them. */
export const CELL_COLUMNS =
  'day, provider, gpu_type, snapshot_cost_usd, gpu_hours, allocated_usd, unallocated_usd, unpriced_gpu_hours, job_count, rate, ' +
  'refreshed_at, share_rate, capacity_id, capacity_gpu_hours, owner_team_id';

/** The sums every day table keeps (see DaySums in allocation.entities.ts). */
export const DAY_TABLE_COLUMNS =
  'gpu_hours, cost_usd, unpriced_gpu_hours, job_count, jobs_started, idle_share_usd, measured_cost_usd, used_cost_usd';

/** The sums of day-table rows, summed again (into coarser day tables, months, or from deltas), in DAY_TABLE_COLUMNS order. */
export const DAY_SUMS_SUMMED = `trim_scale(sum(gpu_hours)), sum(cost_usd), trim_scale(sum(unpriced_gpu_hours)), sum(job_count),
  sum(jobs_started), sum(idle_share_usd), sum(measured_cost_usd), sum(used_cost_usd)`;

/**
 * The label keys in use, one index probe each (a loose scan of the primary key, which starts with
 * the key): the label day rows of a day are found key by key.
 */
export const LABEL_KEYS = `
  WITH RECURSIVE label_keys AS (
    (SELECT label_key FROM allocation_label_days ORDER BY label_key LIMIT 1)
    UNION ALL
    SELECT (SELECT d.label_key FROM allocation_label_days d WHERE d.label_key > k.label_key ORDER BY d.label_key LIMIT 1)
    FROM label_keys k WHERE k.label_key IS NOT NULL
  )`;
