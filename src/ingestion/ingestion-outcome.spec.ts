import { BadRequestException } from '@nestjs/common';
import { ClientAbortedError } from '../common/errors/client-aborted';
import type { PipelineCounts } from './batch-pipeline';
import { describeOutcome, RunTally } from './ingestion-outcome';
import { ANSWERED_ERRORS, RecordErrors, STORED_ERRORS } from './record-errors';
import { JobBatchWriter } from './writers/job-writer';

const counts = (c: Partial<PipelineCounts> = {}): PipelineCounts => ({
  inserted: 0,
  updated: 0,
  unchanged: 0,
  superseded: 0,
  ...c,
});

function tally(t: Partial<RunTally> & { failed?: number } = {}): RunTally {
  const errors = new RecordErrors();
  for (let i = 0; i < (t.failed ?? 0); i++) errors.add(i, `job-${i}`, [{ field: 'gpu_count', message: 'must be > 0' }]);
  return {
    kind: 'jobs',
    dryRun: false,
    atomic: false,
    total: 0,
    errors,
    committed: true,
    streamed: false,
    capped: false,
    ...t,
  };
}

/** A jobs writer that reports the given team counts (its own come from writing batches). */
function jobsWriterWithTeams(teams: { created: number; existing: number; total: number }): JobBatchWriter {
  const writer = Object.create(JobBatchWriter.prototype) as JobBatchWriter;
  jest.spyOn(writer, 'teamCounts').mockReturnValue(teams);
  return writer;
}

describe('describeOutcome', () => {
  it('is a success when every record was valid, with the counts in the message and the answer', () => {
    const { body, run } = describeOutcome(
      'run-1',
      tally({ total: 4 }),
      counts({ inserted: 2, updated: 1, unchanged: 1 }),
      null,
    );
    expect(body.status).toBe('success');
    expect(body.message).toBe('Ingested 4 of 4 jobs: 2 inserted, 1 updated, 1 unchanged, 0 failed.');
    expect(body.result.jobs).toEqual({ inserted: 2, updated: 1, unchanged: 1, failed: 0, superseded: 0, total: 4 });
    expect(body.run_id).toBe('run-1');
    expect(run.status).toBe('success');
    expect(run.counts.records).toEqual(body.result.jobs);
  });

  it('is partial when some records failed, and names cost snapshots for a costs run', () => {
    const { body } = describeOutcome('r', tally({ kind: 'costs', total: 3, failed: 1 }), counts({ inserted: 2 }), null);
    expect(body.status).toBe('partial');
    expect(body.message).toBe('Ingested 2 of 3 cost snapshots: 2 inserted, 0 updated, 0 unchanged, 1 failed.');
    expect(body.result.cost_snapshots).toMatchObject({ inserted: 2, failed: 1, total: 3 });
    expect(body.result.jobs).toBeUndefined();
  });

  it('is failed when every record failed', () => {
    const { body } = describeOutcome('r', tally({ total: 2, failed: 2 }), counts(), null);
    expect(body.status).toBe('failed');
    expect(body.message).toBe('Ingested 0 of 2 jobs: 0 inserted, 0 updated, 0 unchanged, 2 failed.');
  });

  it('is failed for an empty payload, unless the payload brought teams', () => {
    expect(describeOutcome('r', tally(), counts(), null).body).toMatchObject({
      status: 'failed',
      message: 'No jobs in the payload.',
    });
    const withTeams = describeOutcome(
      'r',
      tally(),
      counts(),
      jobsWriterWithTeams({ created: 2, existing: 0, total: 2 }),
    );
    expect(withTeams.body.status).toBe('success');
    expect(withTeams.body.message).toBe(
      'Ingested 0 of 0 jobs: 0 inserted, 0 updated, 0 unchanged, 0 failed. 2 teams created.',
    );
    expect(withTeams.body.result.teams).toEqual({ created: 2, existing: 0, total: 2 });
    expect(withTeams.run.counts.teams).toEqual({ created: 2, existing: 0, total: 2 });
  });

  it('says nothing was written by an atomic run with bad records, and reports no writes', () => {
    const { body } = describeOutcome(
      'r',
      tally({ atomic: true, total: 5, failed: 1, committed: false }),
      counts({ inserted: 4 }),
      null,
    );
    expect(body.status).toBe('failed');
    expect(body.message).toBe('Nothing was written: 1 of 5 records are invalid and the run is atomic.');
    expect(body.result.jobs).toMatchObject({ inserted: 0, failed: 1, total: 5 });
  });

  it('keeps the counts of a dry run, as what the run would do', () => {
    const { body } = describeOutcome(
      'r',
      tally({ dryRun: true, committed: false, total: 2 }),
      counts({ inserted: 2 }),
      null,
    );
    expect(body.status).toBe('success');
    expect(body.dry_run).toBe(true);
    expect(body.message).toBe(
      'Dry run, nothing written: would ingest 2 of 2 jobs: 2 inserted, 0 updated, 0 unchanged, 0 failed.',
    );
    expect(body.result.jobs).toMatchObject({ inserted: 2 });
  });

  it('mentions records superseded by a later one with the same key', () => {
    const jobs = describeOutcome('r', tally({ total: 3 }), counts({ inserted: 2, superseded: 1 }), null).body.message;
    expect(jobs).toContain(' 1 records were superseded by a later record with the same job_id.');
    const costs = describeOutcome('r', tally({ kind: 'costs', total: 3 }), counts({ inserted: 2, superseded: 1 }), null)
      .body.message;
    expect(costs).toContain('the same date, provider and GPU type.');
  });

  it('says when the upload was cut off at the record limit', () => {
    const { body } = describeOutcome('r', tally({ total: 2, capped: 'records' }), counts({ inserted: 2 }), null);
    expect(body.message.endsWith(' The upload was cut off at the record limit.')).toBe(true);
  });

  describe('a run that crashed', () => {
    it('is failed, says why in words fit for a caller, and keeps the batches a streamed run committed', () => {
      const down = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const { body } = describeOutcome(
        'r',
        tally({ total: 10, streamed: true, committed: false }),
        counts({ inserted: 5, updated: 1 }),
        null,
        down,
      );
      expect(body.status).toBe('failed');
      expect(body.message).toBe(
        'Ingestion stopped: the database became unavailable. 6 jobs were written by batches committed before it stopped.',
      );
      expect(body.result.jobs).toMatchObject({ inserted: 5, updated: 1 });
    });

    it('reports no writes for a one-transaction run, and never leaks an unexpected error', () => {
      const { body } = describeOutcome(
        'r',
        tally({ total: 10, committed: false }),
        counts({ inserted: 5 }),
        null,
        new Error('relation "jobs" does not exist'),
      );
      expect(body.message).toBe(
        'Ingestion stopped: an unexpected error occurred. 0 jobs were written by batches committed before it stopped.',
      );
      expect(body.message).not.toContain('relation');
    });

    it('is aborted, not a database outage, when the client hung up, and keeps the batches committed', () => {
      const { run } = describeOutcome(
        'r',
        tally({ total: 12_000, streamed: true, committed: false }),
        counts({ inserted: 10_000 }),
        null,
        new ClientAbortedError('client aborted ingestion run r'),
      );
      expect(run.status).toBe('aborted');
      expect(run.message).toBe(
        'Ingestion aborted: the client closed the connection after 12000 records were read. ' +
          '10000 jobs were written by batches committed before it stopped.',
      );
      expect(run.counts.records).toMatchObject({ inserted: 10_000, total: 12_000 });
    });

    it('passes an HTTP error message through', () => {
      const { body } = describeOutcome('r', tally({ total: 1 }), counts(), null, new BadRequestException('bad line'));
      expect(body.message).toMatch(/^Ingestion stopped: bad line\./);
    });
  });

  it('answers with the first STORED_ERRORS record errors and counts them all', () => {
    const { body, run } = describeOutcome('r', tally({ total: 150, failed: 150 }), counts(), null);
    expect(body.result.errors).toHaveLength(STORED_ERRORS);
    expect(body.result.error_count).toBe(150);
    expect(body.result.errors[0]).toEqual({ index: 0, job_id: 'job-0', field: 'gpu_count', message: 'must be > 0' });
    expect(run.errorCount).toBe(150);
    expect(run.errors).toHaveLength(150);
  });
});

describe('RecordErrors', () => {
  it('counts failed records and their issues, and keeps only the first ANSWERED_ERRORS in full', () => {
    const errors = new RecordErrors();
    errors.add(0, 'a', [
      { field: 'start_time', message: 'needs an offset' },
      { field: 'status', message: 'unknown' },
    ]);
    for (let i = 1; i <= ANSWERED_ERRORS; i++) errors.add(i, null, [{ field: null, message: 'not JSON' }]);
    expect(errors.failedRecords).toBe(ANSWERED_ERRORS + 1);
    expect(errors.count).toBe(ANSWERED_ERRORS + 2);
    expect(errors.first).toHaveLength(ANSWERED_ERRORS);
    expect(errors.first[1]).toEqual({ index: 0, job_id: 'a', field: 'status', message: 'unknown' });
  });
});
