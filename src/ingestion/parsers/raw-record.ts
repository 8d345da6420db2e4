import type { RecordIssue } from '../records/record-reader';

/**
 * One record as a parser hands it over: its 0-based position in the payload and either the
 * untrusted value, why it could not be read at all (a broken line, a short CSV row), that
 * the line was blank, or that the record is where reading stopped (`cut`: an oversized CSV row,
 * past which the parser cannot find the next row). Blank lines are no records, but they are handed over so that they count
 * toward the upload's limit: a stream of nothing but newlines must end somewhere too.
 *
 * `end` (streamed formats) is the number of payload bytes up to the end of this record, its
 * newline included: the records that end within INGEST_MAX_BYTES are the ones read.
 */
export type RawRecord = { index: number; end?: number } & (
  { value: unknown } | { issue: RecordIssue } | { blank: true } | { cut: RecordIssue }
);

/** Longest NDJSON line or CSV row accepted; a longer one is that record's error, not an outage. */
export const MAX_RECORD_BYTES = 1024 * 1024;
