/**
 * The numbers that choose how allocation does its work, in one place. None of them changes a
 * result (both refresh paths give the same digits); they trade speed and resources, as measured
 * by the benchmark (docs/allocation.md).
 */

/**
 * How long ago running jobs may have been measured before a read measures them again. A running
 * job's cost grows by the minute; five minutes keeps dashboards current without re-measuring
 * today's cells on every read.
 */
export const RUNNING_JOB_STALENESS_SECONDS = 300;

/**
 * How often one process looks for stale running-job cells at all: the look is a query, and the
 * staleness above is minutes, so once a minute is often enough.
 */
export const RUNNING_CHECK_INTERVAL_MS = 60_000;

/**
 * From this many marked job intervals on (a bulk load), a refresh recomputes the cells they touch
 * instead of replacing the jobs' rows one by one: set-based over whole cells, and parallel. A
 * writer that has marked this many in one run marks the rest by cell (`wholeCells`). Past this
 * count, claiming and replacing row by row costs more than recomputing the few hundred cells of
 * each day they fall in.
 */
export const CELLS_PATH_INTERVALS = 50_000;

/**
 * A bulk load's batch marks each provider and GPU type's days as runs, joining intervals with at
 * most this many days between them: the days between are recomputed for nothing, but a batch of
 * jobs from all over a year marks a few rows instead of a row for each of thousands of cells,
 * and the refresh claims a few thousand marks instead of close to a million.
 */
export const MARK_RUN_GAP_DAYS = 7;

/**
 * From this many cells on, a refresh re-analyzes `jobs` first and lifts the statement timeout: a
 * refresh this size follows a bulk load that autovacuum has usually not analyzed yet, and cutting
 * it short would fail a valid upload.
 */
export const LARGE_REFRESH_CELLS = 500;

/**
 * Memory for the sorts of a large refresh: sorting every job-day of a year by cell spills to disk
 * with the default work_mem. Safe because one refresh at a time holds the refresh lock.
 */
export const LARGE_REFRESH_WORK_MEM = '256MB';

/**
 * From this many cells on, a refresh of its own splits the cells by day between connections:
 * PostgreSQL runs a statement on one core, and after a bulk load the rest of the machine idles.
 */
export const PARALLEL_REFRESH_CELLS = 1_000;

/**
 * Connections a parallel refresh takes from the pool. Two measured nearly twice one on the
 * benchmark's machine; more would starve the requests sharing the pool.
 */
export const REFRESH_WORKERS = 2;
