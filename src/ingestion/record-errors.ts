import type { IngestionRecordError } from './ingestion-run.entity';
import type { RecordIssue } from './records/record-reader';
import { storableText } from '../common/storable-text';

/** Record errors kept in a run's history; the total is always counted. */
export const STORED_ERRORS = 100;
/** Record errors returned in one answer (an atomic run answers with all of them, up to this). */
export const ANSWERED_ERRORS = 1_000;
/**
 * Longest record error message, and longest key or field name, in an answer and in the history.
 * A message may quote the payload (a parser's complaint about a megabyte cell), and a thousand
 * such quotes would make an answer of gigabytes.
 */
const MAX_ERROR_MESSAGE = 500;
const MAX_ERROR_KEY = 256;

/** The record errors of one run: how many records failed, and the first errors in full. */
export class RecordErrors {
  failedRecords = 0;
  count = 0;
  readonly first: IngestionRecordError[] = [];

  add(index: number, key: string | null, issues: RecordIssue[]): void {
    this.failedRecords++;
    for (const issue of issues) {
      this.count++;
      if (this.first.length < ANSWERED_ERRORS)
        this.first.push({
          index,
          // Messages may quote the payload (a broken line, an unknown column); jsonb must take them.
          job_id: key === null ? null : storableText(key, MAX_ERROR_KEY),
          field: issue.field === null ? null : storableText(issue.field, MAX_ERROR_KEY),
          message: storableText(issue.message, MAX_ERROR_MESSAGE),
        });
    }
  }
}
