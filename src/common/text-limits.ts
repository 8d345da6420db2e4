/**
 * How long a job's text fields may be, wherever they enter: ingestion refuses longer values as
 * record errors, and the filters on them refuse longer values as a 400.
 */

/** Longest accepted identifier-like value (job ids, team and model names). */
export const MAX_NAME_LENGTH = 200;
/** Longest accepted provider, GPU type or status. */
export const MAX_CODE_LENGTH = 64;
