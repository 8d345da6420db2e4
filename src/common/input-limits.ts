/**
 * The ranges every value a client sends must fall in, named once. Each is checked where the
 * value enters (body parser, validation), before any SQL: a value outside is a 400 naming it,
 * never a 500 from PostgreSQL or a date that overflows. docs/decisions.md says why each is what
 * it is.
 */

/**
 * The first and last UTC day a date parameter (`start`, `end`, `month`) may name. Job records
 * start in 2000 at the earliest, and a bound far from year 9999 leaves room for any day
 * arithmetic (a day added, a time-zone shift) to stay a four-digit year.
 */
export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2100-12-31';

/**
 * The deepest `skip` of an offset page: OFFSET reads and drops every skipped row, so a deep
 * offset costs the database as much as reading them all. `GET /jobs` pages on with `cursor`.
 */
export const MAX_SKIP = 100_000;

/** How deep a JSON body may nest: every body Heliox takes is at most four levels deep. */
export const MAX_JSON_DEPTH = 16;

/**
 * Values (objects, arrays, strings, numbers …) one JSON body may hold. An ordinary request body
 * holds a few dozen; an ingestion body of BODY_LIMIT bytes of real records (about 10 values a
 * record) holds well under a million, while its byte cap alone would let through five million
 * one-character values that cost seconds of CPU to look at.
 */
export const MAX_JSON_VALUES = 1_000;
export const MAX_INGEST_JSON_VALUES = 1_000_000;

/** Fields one form-encoded (login) body may carry. */
export const MAX_FORM_FIELDS = 20;

/**
 * Most GPUs one job, or one declared capacity, may hold (fractions allowed for MIG slices); more
 * is a unit mistake (GPU-hours, say).
 */
export const MAX_GPU_COUNT = 100_000;

/**
 * Decimals a GPU count may have, for a job or a declared capacity: a MIG slice of 1/7 is written
 * 0.142857. A job's GPU-hours carry every decimal of its count, and so do the sums of its cell,
 * team, model and labels for good: one job of 1e-300 GPUs made its cell's GPU-hours 300 digits
 * long, and every sum over it that much slower.
 */
export const GPU_COUNT_DECIMALS = 6;
