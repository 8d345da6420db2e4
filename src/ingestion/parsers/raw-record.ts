import type { RecordIssue } from '../records/record-reader';

/**
 * One record as a parser hands it over: its 0-based position in the payload and either the
 * untrusted value or why it could not be read at all (a broken line, a short CSV row).
 */
export type RawRecord = { index: number; value: unknown } | { index: number; issue: RecordIssue };

/** Longest NDJSON line or CSV row accepted; a longer one is that record's error, not an outage. */
export const MAX_RECORD_BYTES = 1024 * 1024;
