import { HttpException } from '@nestjs/common';
import { ClientAbortedError } from '../common/errors/client-aborted';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import type { PipelineCounts } from './batch-pipeline';
import type { IngestionKind, IngestionRecordError } from './ingestion-run.entity';
import type { RunOutcome } from './ingestion-runs.service';
import { RecordErrors, STORED_ERRORS } from './record-errors';
import { JobBatchWriter } from './writers/job-writer';

type AnswerStatus = 'success' | 'partial' | 'failed';

interface RecordCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Replaced by a later record with the same key in the same payload (the last one wins). */
  superseded: number;
  total: number;
}

interface TeamCounts {
  created: number;
  existing: number;
  total: number;
}

/** The answer of an ingestion (DESIGN section 5). */
export interface IngestionAnswer {
  status: AnswerStatus;
  message: string;
  run_id: string;
  dry_run: boolean;
  result: {
    teams?: TeamCounts;
    jobs?: RecordCounts;
    cost_snapshots?: RecordCounts;
    errors: IngestionRecordError[];
    error_count: number;
  };
}

/** What a run saw, kept while it reads. */
export interface RunTally {
  kind: IngestionKind;
  dryRun: boolean;
  atomic: boolean;
  /** Records read (valid or not). */
  total: number;
  errors: RecordErrors;
  /** Whether the writes were committed (false: a dry run, or an atomic run with bad records). */
  committed: boolean;
  /** Batches commit one by one (else the whole run is one transaction). */
  streamed: boolean;
  /**
   * Stopped at INGEST_MAX_RECORDS (records and blank lines), at INGEST_MAX_BYTES, or at a CSV
   * row longer than a record may be.
   */
  capped: false | 'records' | 'bytes' | 'row';
}

const CAP_NAMES = { records: 'record limit', bytes: 'byte limit', row: 'first CSV row over the size limit' } as const;

/**
 * Whether a run answers with a refusal whatever it wrote: an atomic run with a bad record, or a
 * run whose every record is bad. A run in one transaction then rolls back, so that a 400 leaves
 * nothing behind, not even the teams its envelope defines.
 */
export const refusedWhole = (tally: Pick<RunTally, 'atomic' | 'total' | 'errors'>): boolean =>
  (tally.atomic && tally.errors.failedRecords > 0) || (tally.total > 0 && tally.errors.failedRecords === tally.total);

/** Turns what a run did into its status, message and counts, for the answer and the history. */
export function describeOutcome(
  runId: string,
  tally: RunTally,
  written: PipelineCounts,
  writer: unknown,
  crash?: unknown,
): { body: IngestionAnswer; run: RunOutcome } {
  const failed = tally.errors.failedRecords;
  // Counts stand when the writes stand (or, in a dry run, say what they would be). A rolled-back
  // transaction (an atomic run with bad records, a crash of a one-transaction run) wrote nothing;
  // a streamed run that crashed keeps the batches it had committed.
  const rolledBack = !tally.committed && !tally.dryRun && !(crash && tally.streamed);
  const records: RecordCounts = {
    inserted: rolledBack ? 0 : written.inserted,
    updated: rolledBack ? 0 : written.updated,
    unchanged: rolledBack ? 0 : written.unchanged,
    failed,
    superseded: rolledBack ? 0 : written.superseded,
    total: tally.total,
  };
  const teams = writer instanceof JobBatchWriter ? writer.teamCounts() : undefined;
  if (teams && rolledBack) Object.assign(teams, { created: 0, total: teams.existing });
  const noun = tally.kind === 'jobs' ? 'jobs' : 'cost snapshots';

  let status: AnswerStatus;
  let message: string;
  let runStatus: RunOutcome['status'] | undefined;
  if (crash instanceof ClientAbortedError) {
    status = 'failed';
    runStatus = 'aborted';
    const written = records.inserted + records.updated;
    message =
      `Ingestion aborted: the client closed the connection after ${tally.total} records were read. ` +
      `${written} ${noun} were written by batches committed before it stopped.`;
  } else if (crash) {
    status = 'failed';
    const written = records.inserted + records.updated;
    message = `Ingestion stopped: ${reasonOf(crash)}. ${written} ${noun} were written by batches committed before it stopped.`;
  } else if (tally.total === 0 && !(teams && teams.total > 0)) {
    status = 'failed';
    message = `No ${noun} in the payload.`;
  } else if (tally.atomic && failed > 0) {
    status = 'failed';
    message = `Nothing was written: ${failed} of ${tally.total} records are invalid and the run is atomic.`;
  } else {
    status = failed === 0 ? 'success' : failed === tally.total ? 'failed' : 'partial';
    const verb = tally.dryRun ? 'Dry run, nothing written: would ingest' : 'Ingested';
    message =
      `${verb} ${tally.total - failed} of ${tally.total} ${noun}: ${records.inserted} inserted, ${records.updated} updated, ` +
      `${records.unchanged} unchanged, ${failed} failed.`;
    if (records.superseded > 0) {
      message += ` ${records.superseded} records were superseded by a later record with the same ${tally.kind === 'jobs' ? 'job_id' : 'date, provider and GPU type'}.`;
    }
    if (teams && teams.created > 0) message += ` ${teams.created} teams created.`;
  }
  if (tally.capped) message += ` The upload was cut off at the ${CAP_NAMES[tally.capped]}.`;

  const counts: Record<string, Record<string, number>> = { records: { ...records } };
  if (teams) counts.teams = { ...teams };
  const errors = tally.errors.first;
  const body: IngestionAnswer = {
    status,
    message,
    run_id: runId,
    dry_run: tally.dryRun,
    result: {
      ...(teams ? { teams } : {}),
      ...(tally.kind === 'jobs' ? { jobs: records } : { cost_snapshots: records }),
      errors: errors.slice(0, STORED_ERRORS),
      error_count: tally.errors.count,
    },
  };
  return { body, run: { status: runStatus ?? status, message, counts, errorCount: tally.errors.count, errors } };
}

function reasonOf(error: unknown): string {
  if (error instanceof HttpException) return error.message;
  if (isDatabaseUnavailable(error)) return 'the database became unavailable';
  return 'an unexpected error occurred';
}
