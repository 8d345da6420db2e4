import { LONGEST_FINISHED_SPAN } from '../allocation/allocation-marks.sql';
import { labelsContaining, type LabelFilter } from '../common/label-filters';
import type { JobResponse, JobsPage } from './dto/job.response';
import type { JobStatus } from './job-status';
import { encodeCursor, JobsKey, SortOrder } from './jobs-cursor';

/**
 * The SQL of the jobs listing, in one place: JobsService runs it and the benchmark's bare
 * handler runs the very same text, so the two are compared like for like.
 */

/**
 * `total` is counted exactly up to this many rows past the current page; beyond that it is a
 * lower bound (`total_exact: false`), like a "1,000+" in a UI. Counting a million rows per page
 * would make every page as slow as the count; this keeps the count's cost bounded whatever the
 * table size.
 */
export const TOTAL_COUNT_CAP = 1_000;

/** How many matching rows the count of a page looks at: the current page and TOTAL_COUNT_CAP past it. */
const countLimitFor = (request: Pick<JobsPageRequest, 'skip' | 'limit'>) =>
  request.skip + request.limit + TOTAL_COUNT_CAP;

interface JobsFilter {
  teamId?: string;
  status?: JobStatus;
  provider?: string;
  gpuType?: string;
  modelName?: string;
  /** `label.<key>=<value>` filters: every one must match. */
  labels?: LabelFilter[];
  /** Jobs whose run overlaps [from, toExclusive) (ISO-8601 instants). */
  from?: string;
  toExclusive?: string;
}

export interface JobsPageRequest extends JobsFilter {
  order: SortOrder;
  after?: JobsKey;
  skip: number;
  limit: number;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

const UTC_MILLIS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * Seconds a job has used its GPUs: running jobs up to now; a queued job has not started, so it
 * has used nothing (the same rule as cost allocation).
 */
const RUN_SECONDS = `CASE WHEN j.status = 'queued' THEN 0
    ELSE greatest(extract(epoch FROM coalesce(j.end_time, now()) - j.start_time), 0) END`;

/** One job as the API shows it, built in SQL: job alias `j`, team alias `t`. */
const JOB_JSON = `json_build_object(
    'id', j.id,
    'job_id', j.job_id,
    'team_id', j.team_id,
    'team_name', t.name,
    'model_name', j.model_name,
    'provider', j.provider,
    'gpu_type', j.gpu_type,
    'gpu_count', j.gpu_count,
    'start_time', to_char(j.start_time AT TIME ZONE 'UTC', ${UTC_MILLIS}),
    'end_time', to_char(j.end_time AT TIME ZONE 'UTC', ${UTC_MILLIS}),
    'status', j.status,
    'duration_hours', round(${RUN_SECONDS} / 3600, 4),
    'gpu_hours', round(j.gpu_count * ${RUN_SECONDS} / 3600, 4),
    'labels', j.labels,
    'gpu_utilization', j.gpu_utilization
  )`;

/**
 * A filter's WHERE conditions, appending their parameters to `values`. With a window start
 * (`from`), `overlap` holds the ways a job can reach into the window, one condition each, to be
 * read as index ranges of their own (see `scan`):
 * - a finished job ended after `from`. No finished job lasted longer than the allocation's bound
 *   (LONGEST_FINISHED_SPAN), so it also started after `from` minus that bound, where its scan
 *   begins. As one condition, oldest first, the scan passed every job that ended before the
 *   window: 1.6-1.9 s at a million jobs for a week's window.
 * - a running job (no end, not queued) runs until now, however long ago it started.
 * - a queued job has not run: it is listed in the window of its start alone (before, one queued
 *   in January was listed in every window after it).
 */
function jobsWhere(filter: JobsFilter, values: unknown[], alias = 'j'): { where: string[]; overlap?: string[] } {
  const param = (value: unknown, type = 'text') => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const where: string[] = [];
  if (filter.teamId !== undefined) where.push(`${alias}.team_id = ${param(filter.teamId, 'uuid')}`);
  if (filter.status !== undefined) where.push(`${alias}.status = ${param(filter.status)}`);
  if (filter.provider !== undefined) where.push(`${alias}.provider = ${param(filter.provider)}`);
  if (filter.gpuType !== undefined) where.push(`${alias}.gpu_type = ${param(filter.gpuType)}`);
  if (filter.modelName !== undefined) where.push(`${alias}.model_name = ${param(filter.modelName)}`);
  if (filter.labels?.length) where.push(`${alias}.labels @> ${param(labelsContaining(filter.labels), 'jsonb')}`);
  // Overlap with [from, to): started before the end, and not over before the start.
  if (filter.toExclusive !== undefined) where.push(`${alias}.start_time < ${param(filter.toExclusive, 'timestamptz')}`);
  if (filter.from === undefined) return { where };
  const from = param(filter.from, 'timestamptz');
  return {
    where,
    overlap: [
      `${alias}.end_time > ${from} AND ${alias}.start_time > ${from} - ${LONGEST_FINISHED_SPAN}`,
      `${alias}.end_time IS NULL AND ${alias}.status <> 'queued' AND now() > ${from}`,
      `${alias}.end_time IS NULL AND ${alias}.status = 'queued' AND ${alias}.start_time >= ${from}`,
    ],
  };
}

/**
 * The rows of `jobs` matching `where` (and, with a window start, any `overlap` condition) in
 * `orderBy`, at most `limit` after skipping `offset`. With `overlap`, each condition is an ordered
 * scan of its own, capped at offset + limit, and the scans are merged.
 */
function scan(
  select: string,
  where: string[],
  overlap: string[] | undefined,
  orderBy: string,
  limit: string,
  offset?: string,
): string {
  const clause = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');
  const skip = offset ? ` OFFSET ${offset}` : '';
  if (!overlap) return `SELECT ${select} FROM jobs j ${clause(where)} ORDER BY ${orderBy} LIMIT ${limit}${skip}`;
  const cap = offset ? `${limit} + ${offset}` : limit;
  const parts = overlap.map(
    (condition) => `(SELECT ${select} FROM jobs j ${clause([...where, condition])} ORDER BY ${orderBy} LIMIT ${cap})`,
  );
  return `SELECT * FROM (${parts.join(' UNION ALL ')}) j ORDER BY ${orderBy} LIMIT ${limit}${skip}`;
}

const NEWEST_FIRST = 'j.start_time DESC, j.job_id DESC';

/**
 * One round trip: the page (limit + 1 rows, the extra one only telling whether more follow),
 * the key of the page's last row for the next cursor, and the capped count. Every filter has
 * an index ending in (start_time, job_id), so the page is an ordered index scan that stops
 * after limit + 1 matches, and a keyset `after` costs the same however deep it is (a window
 * start makes it one such scan per way into the window, merged). The count walks the same
 * ranges newest first and stops at its cap (unordered, the planner may pick a sequential scan
 * that passes every older row to reach a date range).
 */
export function buildJobsPageQuery(request: JobsPageRequest): SqlQuery {
  const values: unknown[] = [];
  const { where: filterWhere, overlap } = jobsWhere(request, values);
  const pageWhere = [...filterWhere];
  if (request.after) {
    values.push(request.after.startTime, request.after.jobId);
    const op = request.order === 'desc' ? '<' : '>';
    pageWhere.push(`(j.start_time, j.job_id) ${op} ($${values.length - 1}::timestamptz, $${values.length}::text)`);
  }
  const dir = request.order === 'desc' ? 'DESC' : 'ASC';
  const orderBy = `j.start_time ${dir}, j.job_id ${dir}`;
  values.push(request.limit + 1, request.skip, countLimitFor(request) + 1, request.limit);
  const [pageSize, offset, countCap, limit] = [
    values.length - 3,
    values.length - 2,
    values.length - 1,
    values.length,
  ].map((n) => `$${n}`);

  // The count reads no column, unless scans are merged: the merge orders by these.
  const counted = overlap ? 'j.start_time, j.job_id' : '1';
  const text = `
WITH page AS MATERIALIZED (
  ${scan('*', pageWhere, overlap, orderBy, `${pageSize}::int`, `${offset}::bigint`)}
)
SELECT
  (SELECT count(*)::int FROM (${scan(counted, filterWhere, overlap, NEWEST_FIRST, `${countCap}::bigint`)}) counted) AS total,
  (SELECT coalesce(json_agg(${JOB_JSON} ORDER BY ${orderBy}), '[]'::json)
     FROM page j JOIN teams t ON t.id = j.team_id) AS jobs,
  (SELECT json_build_object('start_time', to_char(j.start_time AT TIME ZONE 'UTC', ${UTC_MICROS}), 'job_id', j.job_id)
     FROM (SELECT j.start_time, j.job_id FROM page j ORDER BY ${orderBy} OFFSET ${limit}::int - 1 LIMIT 1) j) AS last_key`;
  return { text, values };
}

/** The one row buildJobsPageQuery returns. */
export interface JobsPageRow {
  total: number;
  jobs: JobResponse[];
  last_key: { start_time: string; job_id: string } | null;
}

/** The response for a page: drops the look-ahead row, caps the count, issues the next cursor. */
export function toJobsPage(row: JobsPageRow, request: JobsPageRequest): JobsPage {
  const hasMore = row.jobs.length > request.limit;
  const countLimit = countLimitFor(request);
  return {
    jobs: hasMore ? row.jobs.slice(0, request.limit) : row.jobs,
    total: Math.min(row.total, countLimit),
    total_exact: row.total <= countLimit,
    skip: request.skip,
    limit: request.limit,
    has_more: hasMore,
    next_cursor:
      hasMore && row.last_key
        ? encodeCursor(request.order, { startTime: row.last_key.start_time, jobId: row.last_key.job_id })
        : null,
  };
}

/** One job by its job_id, optionally only within a team. */
export function buildJobQuery(jobId: string, teamId?: string): SqlQuery {
  const values: unknown[] = [jobId];
  let text = `SELECT ${JOB_JSON} AS job FROM jobs j JOIN teams t ON t.id = j.team_id WHERE j.job_id = $1::text`;
  if (teamId !== undefined) {
    values.push(teamId);
    text += ` AND j.team_id = $2::uuid`;
  }
  return { text, values };
}
