import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { CostSnapshotsWriter } from '../analytics/snapshots/cost-snapshots.writer';
import { ClientAbortedError } from '../common/errors/client-aborted';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env';
import { JobsWriter } from '../jobs/jobs.writer';
import { TeamsService } from '../teams/teams.service';
import { BatchPipeline } from './batch-pipeline';
import { IngestionKind } from './ingestion-run.entity';
import { IngestionRunsService } from './ingestion-runs.service';
import { DEMO_DATA_AS_OF, readDemoFile } from './demo-data';
import { describeOutcome, IngestionAnswer, refusedWhole, RunTally } from './ingestion-outcome';
import { ByteLimit } from './parsers/byte-limit';
import { csvRecords } from './parsers/csv';
import { readCostsBody, readJobsBody } from './parsers/json-body';
import { ndjsonRecords } from './parsers/ndjson';
import { MAX_RECORD_BYTES, RawRecord } from './parsers/raw-record';
import { RecordErrors } from './record-errors';
import { COST_FIELDS, normaliseCost, REQUIRED_COST_FIELDS } from './records/cost-record';
import { JOB_FIELDS, Normalised, normaliseJob, REQUIRED_JOB_FIELDS } from './records/job-record';
import { TeamDefinition } from './records/team-definition';
import { TimeBoundSettings, TimeBounds, timeBounds } from './records/time-bounds';
import { BatchWriter } from './writers/batch-writer';
import { CostBatchWriter } from './writers/cost-writer';
import { JobBatchWriter } from './writers/job-writer';

export type IngestInput = { format: 'json'; body: unknown } | { format: 'ndjson' | 'csv'; stream: Readable };

export interface IngestRequest {
  kind: IngestionKind;
  /** Where the data came from, for the run history: `http:ndjson`, `mock`, `cli:jobs.csv`, … */
  source: string;
  input: IngestInput;
  dryRun?: boolean;
  atomic?: boolean;
  /** Called every PROGRESS_EVERY records with the number read so far (the CLI's progress line). */
  onProgress?: (records: number) => void;
  /**
   * The instant the records' dates are checked against (JOB_START_FLOOR, JOB_MAX_DAYS, "not
   * more than a day in the future"); now unless given. The demo files give the end of the
   * fortnight they describe.
   */
  asOf?: Date;
}

const PROGRESS_EVERY = 10_000;

/**
 * Takes teams, jobs and cost snapshots in, whatever the door (HTTP JSON, NDJSON, CSV, the
 * mock files, the CLI): records are read one by one, validated and normalised, and the valid
 * ones written in set-based batches while bad ones are reported by index and field. Every run
 * is recorded in `ingestion_runs`.
 */
@Injectable()
export class IngestionService {
  private readonly maxStreamedRecords: number;
  private readonly maxStreamedBytes: number;
  private readonly timeBoundSettings: TimeBoundSettings;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: IngestionRunsService,
    private readonly teams: TeamsService,
    private readonly jobs: JobsWriter,
    private readonly snapshots: CostSnapshotsWriter,
    private readonly allocation: AllocationService,
    config: ConfigService<Env, true>,
  ) {
    this.maxStreamedRecords = config.get('INGEST_MAX_RECORDS', { infer: true });
    this.maxStreamedBytes = config.get('INGEST_MAX_BYTES', { infer: true });
    this.timeBoundSettings = {
      floorDay: config.get('JOB_START_FLOOR', { infer: true }),
      maxDays: config.get('JOB_MAX_DAYS', { infer: true }),
    };
  }

  async ingest(request: IngestRequest): Promise<IngestionAnswer> {
    const dryRun = request.dryRun ?? false;
    const atomic = request.atomic ?? false;
    // A wrong JSON envelope is the caller's mistake before any record is read: plain 400, no run.
    const body = request.input.format === 'json' ? this.readBody(request.kind, request.input.body) : undefined;
    const runId = await this.runs.start(request.kind, request.source, { dryRun, atomic });

    const errors = new RecordErrors();
    const single = request.input.format === 'json' || dryRun || atomic;
    const tally: RunTally = {
      kind: request.kind,
      dryRun,
      atomic,
      total: 0,
      errors,
      committed: false,
      streamed: !single,
      capped: false,
    };
    // Records come out of normalise() untyped; each writer takes the kind its normaliser makes.
    const writer: BatchWriter<unknown> =
      request.kind === 'jobs'
        ? new JobBatchWriter(this.teams, this.jobs, this.allocation, body?.teams ?? [])
        : new CostBatchWriter(this.snapshots, this.allocation);
    const pipeline = new BatchPipeline(
      this.dataSource,
      writer,
      (manager) => this.allocation.refreshDirty(manager),
      single ? { kind: 'single', keep: () => !dryRun && !refusedWhole(tally) } : { kind: 'streamed' },
    );
    const normalise: (raw: unknown, bounds: TimeBounds) => Normalised<unknown> =
      request.kind === 'jobs' ? normaliseJob : normaliseCost;
    const bounds = timeBounds(this.timeBoundSettings, request.asOf ?? new Date());
    const byteLimit = new ByteLimit(this.maxStreamedBytes);
    const records = body
      ? arrayRecords(body.records)
      : this.streamRecords(request.kind, request.input as { format: 'ndjson' | 'csv'; stream: Readable }, byteLimit);
    // Lines (NDJSON) or rows (CSV) read, blank ones included: they count toward INGEST_MAX_RECORDS.
    let lines = 0;
    // Why reading stopped at an oversized CSV row, naming it.
    let cutRow = '';

    let outcome: ReturnType<typeof describeOutcome> | undefined;
    try {
      tally.committed = await pipeline.run(async (push) => {
        for await (const raw of records) {
          if (!body) {
            // A record without `end` was cut off by the end of what was read.
            if ((raw.end ?? (byteLimit.exceeded ? Infinity : 0)) > this.maxStreamedBytes) {
              tally.capped = 'bytes';
              break;
            }
            if (lines >= this.maxStreamedRecords) {
              tally.capped = 'records';
              break;
            }
            lines++;
            if ('blank' in raw) continue;
          }
          tally.total++;
          if (request.onProgress && tally.total % PROGRESS_EVERY === 0) request.onProgress(tally.total);
          if ('issue' in raw) {
            errors.add(raw.index, null, [raw.issue]);
            continue;
          }
          if ('cut' in raw) {
            errors.add(raw.index, null, [raw.cut]);
            tally.capped = 'row';
            cutRow = raw.cut.message;
            break;
          }
          if (!('value' in raw)) continue;
          const result = normalise(raw.value, bounds);
          if (!result.ok) errors.add(raw.index, result.key, result.issues);
          // An atomic run that already failed only validates the rest, to report every error.
          else if (!(atomic && errors.failedRecords > 0)) {
            const handedOver = push(result.record);
            if (handedOver) await handedOver;
          }
        }
      });
      outcome = describeOutcome(runId, tally, pipeline.counts, writer);
      await this.runs.finish(runId, outcome.run);
    } catch (error) {
      // The client hung up mid-upload: that is the story of the run, whatever error it made here.
      const stop = clientAborted(request.input)
        ? new ClientAbortedError(`client aborted ingestion run ${runId}`)
        : error;
      // When the writes went through but closing the run did not, the outcome is the real one.
      const dead = outcome ?? describeOutcome(runId, tally, pipeline.counts, writer, stop);
      await this.runs.finishDead(runId, dead.run, error);
      throw stop;
    } finally {
      // Whatever was not read (a cap, a crash) is drained so the answer can still be sent.
      if ('stream' in request.input) request.input.stream.resume();
    }

    const answer = outcome;
    if (tally.capped) {
      const limit = {
        bytes: `at most ${this.maxStreamedBytes} bytes (INGEST_MAX_BYTES) are read from one upload`,
        records: `at most ${this.maxStreamedRecords} records or lines, blank ones included (INGEST_MAX_RECORDS), are read from one upload`,
        row: `${cutRow} (a CSV row is at most ${MAX_RECORD_BYTES} bytes)`,
      }[tally.capped];
      throw new DomainError(HttpStatus.PAYLOAD_TOO_LARGE, `${answer.body.message} (run ${runId})`, [
        { field: 'body', message: limit },
      ]);
    }
    if (answer.body.status === 'failed' && !dryRun) {
      throw new DomainError(HttpStatus.BAD_REQUEST, `${answer.body.message} (run ${runId})`, errors.first);
    }
    return answer.body;
  }

  /** Ingests one of the demo files in data/ (the mock endpoints, the boot seeding). */
  async ingestDemoFile(
    kind: IngestionKind,
    source: string,
    options: { dryRun?: boolean; atomic?: boolean } = {},
  ): Promise<IngestionAnswer> {
    const body = await readDemoFile(kind);
    return this.ingest({ kind, source, input: { format: 'json', body }, asOf: DEMO_DATA_AS_OF, ...options });
  }

  private readBody(kind: IngestionKind, body: unknown): { teams: TeamDefinition[]; records: unknown[] } {
    return kind === 'jobs' ? readJobsBody(body) : { teams: [], ...readCostsBody(body) };
  }

  private streamRecords(
    kind: IngestionKind,
    input: { format: 'ndjson' | 'csv'; stream: Readable },
    limit: ByteLimit,
  ): AsyncIterable<RawRecord> {
    if (input.format === 'ndjson') return ndjsonRecords(limit.read(input.stream));
    return csvRecords(
      Readable.from(limit.read(input.stream), { objectMode: false }),
      kind === 'jobs'
        ? { allowed: JOB_FIELDS, required: REQUIRED_JOB_FIELDS }
        : { allowed: COST_FIELDS, required: REQUIRED_COST_FIELDS },
    );
  }
}

/**
 * Whether the upload stopped because its client went away: the request stream was destroyed
 * with an error (Node's "aborted") before it was read to its end. The service never destroys
 * it with an error itself, so this is the client's doing, not the database's.
 */
function clientAborted(input: IngestInput): boolean {
  return (
    'stream' in input && input.stream instanceof IncomingMessage && !input.stream.complete && !!input.stream.errored
  );
}

function* arrayRecords(values: unknown[]): Generator<RawRecord> {
  for (let index = 0; index < values.length; index++) yield { index, value: values[index] };
}
