import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { loggableError } from '../common/errors/database-errors';
import { notFound } from '../common/errors/domain-error';
import { IngestionKind, IngestionRecordError, IngestionRun, IngestionStatus } from './ingestion-run.entity';
import { STORED_ERRORS } from './record-errors';

export interface RunView {
  id: string;
  kind: IngestionKind;
  source: string;
  status: IngestionStatus;
  dry_run: boolean;
  atomic: boolean;
  started_at: string;
  finished_at: string | null;
  counts: Record<string, Record<string, number>>;
  error_count: number;
  errors: IngestionRecordError[];
  message: string | null;
}

export interface RunOutcome {
  status: Exclude<IngestionStatus, 'running'>;
  message: string;
  counts: Record<string, Record<string, number>>;
  errorCount: number;
  errors: IngestionRecordError[];
}

const DEAD_RUN_ATTEMPTS = 60;
const DEAD_RUN_RETRY_MS = 1_000;

/** The `ingestion_runs` history: one row per run, opened when it starts, closed when it ends. */
@Injectable()
export class IngestionRunsService {
  private readonly logger = new Logger(IngestionRunsService.name);

  constructor(@InjectRepository(IngestionRun) private readonly runs: Repository<IngestionRun>) {}

  async start(kind: IngestionKind, source: string, options: { dryRun: boolean; atomic: boolean }): Promise<string> {
    const run = await this.runs.save(
      this.runs.create({
        kind,
        source: source.slice(0, 500),
        status: 'running',
        dryRun: options.dryRun,
        atomic: options.atomic,
      }),
    );
    return run.id;
  }

  async finish(id: string, outcome: RunOutcome): Promise<void> {
    await this.runs.update(id, {
      status: outcome.status,
      message: outcome.message,
      counts: outcome.counts,
      errorCount: outcome.errorCount,
      errors: outcome.errors.slice(0, STORED_ERRORS),
      finishedAt: new Date(),
    });
  }

  /**
   * Closes a run that died. When the database itself is gone this cannot be written at once;
   * it is retried in the background (the caller's answer does not wait for the database to
   * come back) for a while, and the log says so if it never could be.
   */
  async finishDead(id: string, outcome: RunOutcome, cause: unknown, attempts = DEAD_RUN_ATTEMPTS): Promise<void> {
    try {
      await this.finish(id, outcome);
    } catch (error) {
      if (attempts <= 1) {
        this.logger.error(
          { err: loggableError(error), cause: loggableError(cause), run_id: id },
          `Ingestion run ${id} failed and could not be marked as failed`,
        );
        return;
      }
      setTimeout(() => void this.finishDead(id, outcome, cause, attempts - 1), DEAD_RUN_RETRY_MS).unref();
    }
  }

  async list(query: { skip: number; limit: number; kind?: IngestionKind; status?: IngestionStatus }) {
    const where = { ...(query.kind ? { kind: query.kind } : {}), ...(query.status ? { status: query.status } : {}) };
    const [rows, total] = await this.runs.findAndCount({
      where,
      order: { startedAt: 'DESC', id: 'DESC' },
      skip: query.skip,
      take: query.limit,
    });
    return {
      ingestions: rows.map(toView),
      total,
      skip: query.skip,
      limit: query.limit,
      has_more: query.skip + rows.length < total,
    };
  }

  async get(id: string): Promise<RunView> {
    const run = await this.runs.findOneBy({ id });
    if (!run) throw notFound(`No ingestion run ${id}`);
    return toView(run);
  }
}

function toView(run: IngestionRun): RunView {
  return {
    id: run.id,
    kind: run.kind,
    source: run.source,
    status: run.status,
    dry_run: run.dryRun,
    atomic: run.atomic,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt ? run.finishedAt.toISOString() : null,
    counts: run.counts,
    error_count: run.errorCount,
    errors: run.errors,
    message: run.message,
  };
}
