import type { IngestionRecordError } from './ingestion-run.entity';

/** Longest run message kept in the history (a message is a sentence or two; more is noise). */
export const MAX_RUN_MESSAGE = 2_000;
/** Longest record error message, and longest key or field name, kept in the history. */
const MAX_ERROR_MESSAGE = 500;
const MAX_ERROR_KEY = 256;

// A UTF-16 surrogate that is not half of a pair: PostgreSQL's jsonb refuses its `\udXXX` escape.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text PostgreSQL will store: no NUL (text and jsonb refuse `\u0000`), no lone surrogate, at
 * most `max` characters (cut with an ellipsis). Record errors quote what the client sent, so a
 * run's history must not depend on that text being storable.
 */
export function storableText(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  let clean = text.replace(/\u0000/g, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
  if (clean.length > max) clean = clean.slice(0, max - 1).replace(LONE_SURROGATE, '') + '…';
  return clean;
}

export function storableErrors(errors: IngestionRecordError[]): IngestionRecordError[] {
  return errors.map((e) => ({
    index: e.index,
    job_id: e.job_id === null ? null : storableText(e.job_id, MAX_ERROR_KEY),
    field: e.field === null ? null : storableText(e.field, MAX_ERROR_KEY),
    message: storableText(e.message, MAX_ERROR_MESSAGE),
  }));
}
