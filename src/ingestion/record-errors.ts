import type { IngestionRecordError } from './ingestion-run.entity';
import type { RecordIssue } from './records/record-reader';
import { storable } from './records/storable-text';

/** Record errors kept in a run's history; the total is always counted. */
export const STORED_ERRORS = 100;
/** Record errors returned in one answer (an atomic run answers with all of them, up to this). */
export const ANSWERED_ERRORS = 1_000;

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
          job_id: key,
          // Messages may quote the payload (a broken line, an unknown column); jsonb must take them.
          field: issue.field === null ? null : storable(issue.field),
          message: storable(issue.message),
        });
    }
  }
}
