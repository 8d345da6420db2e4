import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Repository } from 'typeorm';
import { loggableError } from '../common/errors/database-errors';
import { notFound } from '../common/errors/domain-error';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import { Env } from '../config/env';
import { IngestionKind, IngestionRecordError, IngestionRun, IngestionStatus } from './ingestion-run.entity';
import { STORED_ERRORS } from './record-errors';
import { storableText } from '../common/storable-text';
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
  status: Exclude<IngestionStatus, 'running' | 'abandoned'>;
  message: string;
  counts: Record<string, Record<string, number>>;
  errorCount: number;
  errors: IngestionRecordError[];
}

const DEAD_RUN_RETRY_MS = 1_000;

/**
 * The `ingestion_runs` history: one row per run, opened when it starts, closed when it ends,
 * and never left `running` by a run nobody is running any more.
 *
 * Each process has an owner id and keeps the ids of the runs it is running (or still trying to
 * close). One timer refreshes their `heartbeat_at` every third of INGEST_RUN_LEASE_SECONDS, in
 * one query, so a batch costs no extra round trip. A sweep (at boot, then every
 * INGEST_RUN_SWEEP_SECONDS, in every process) marks `abandoned` the runs still `running` whose
 * heartbeat is older than the lease: their process died, or lost the database for longer than
 * it kept trying to close them. A live process' runs are never swept, whichever process sweeps:
 * the heartbeat, not the owner, is what the sweep reads, and times come from the database's
 * clock, so replicas need not agree on theirs.
 */
@Injectable()
export class IngestionRunsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IngestionRunsService.name);
  /** This process, as named in `ingestion_runs.owner`. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly live = new Set<string>();
  private readonly leaseSeconds: number;
  private readonly sweepSeconds: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private heartbeatFailing = false;

  constructor(
    @InjectRepository(IngestionRun) private readonly runs: Repository<IngestionRun>,
    config: ConfigService<Env, true>,
  ) {
    this.leaseSeconds = config.get('INGEST_RUN_LEASE_SECONDS', { infer: true });
    this.sweepSeconds = config.get('INGEST_RUN_SWEEP_SECONDS', { infer: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Runs a dead process left behind are closed before this one takes requests.
    await this.sweep().catch((error: unknown) =>
      this.logger.warn({ err: loggableError(error) }, 'Boot sweep of ingestion runs failed'),
    );
    // unref: the timers never keep a process (the CLI, a test) alive on their own.
    this.timers.push(
      setInterval(() => void this.heartbeat(), (this.leaseSeconds * 1000) / 3).unref(),
      setInterval(
        () =>
          void this.sweep().catch((error: unknown) =>
            this.logger.warn(
              { err: loggableError(error) },
              'Sweep of ingestion runs failed; the next one will try again',
            ),
          ),
        this.sweepSeconds * 1000,
      ).unref(),
    );
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  async start(kind: IngestionKind, source: string, options: { dryRun: boolean; atomic: boolean }): Promise<string> {
    const [{ id }] = await this.runs.query<{ id: string }[]>(
      `INSERT INTO ingestion_runs (kind, source, status, dry_run, atomic, owner, heartbeat_at)
       VALUES ($1, $2, 'running', $3, $4, $5, now()) RETURNING id`,
      [kind, storableText(source, 500), options.dryRun, options.atomic, this.owner],
    );
    this.live.add(id);
    return id;
  }

  /**
   * Closes a run with its outcome. The text is made storable first; should the row still be
   * refused (anything but a lost database), the run is closed as `failed` with a plain message,
   * so that what a client sent can never keep a run `running`. A run the sweep already called
   * `abandoned` takes its real outcome when that arrives late.
   */
  async finish(id: string, outcome: RunOutcome): Promise<void> {
    try {
      await this.close(id, {
        status: outcome.status,
        message: storableText(outcome.message, MAX_RUN_MESSAGE),
        counts: outcome.counts,
        errorCount: outcome.errorCount,
        errors: outcome.errors.slice(0, STORED_ERRORS),
      });
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      this.logger.error(
        { err: loggableError(error), run_id: id },
        `Ingestion run ${id}: its outcome could not be stored`,
      );
      await this.close(id, {
        status: 'failed',
        message: `The run ended (${outcome.status}) but its outcome could not be stored.`,
        counts: outcome.counts,
        errorCount: outcome.errorCount,
        errors: [],
      });
    }
    this.live.delete(id);
  }

  /**
   * Closes a run that died with its request (the database went away, most often). Its final
   * status is written through the pool, so through another connection than the one that died,
   * retried every second for one lease while the run stays live here. If the database is
   * still unreachable by then, the run is let go: the sweep marks it `abandoned` once the
   * database is back, in whichever process sweeps first.
   */
  async finishDead(id: string, outcome: RunOutcome, cause: unknown, deadline = Date.now() + this.leaseSeconds * 1000) {
    try {
      await this.finish(id, outcome);
    } catch (error) {
      if (Date.now() + DEAD_RUN_RETRY_MS > deadline) {
        this.live.delete(id);
        this.logger.warn(
          { err: loggableError(error), cause: loggableError(cause), run_id: id },
          `Ingestion run ${id} failed and could not be closed; the sweep will mark it abandoned`,
        );
        return;
      }
      setTimeout(() => void this.finishDead(id, outcome, cause, deadline), DEAD_RUN_RETRY_MS).unref();
    }
  }

  /** Says, in one query, that this process' runs are alive. */
  async heartbeat(): Promise<void> {
    if (!this.live.size) return;
    try {
      await this.runs.query(
        `UPDATE ingestion_runs SET heartbeat_at = now() WHERE id = ANY($1::uuid[]) AND status = 'running'`,
        [[...this.live]],
      );
      this.heartbeatFailing = false;
    } catch (error) {
      // Logged once per outage, not every few seconds.
      if (!this.heartbeatFailing) this.logger.warn({ err: loggableError(error) }, 'Ingestion run heartbeat failed');
      this.heartbeatFailing = true;
    }
  }

  /** Marks `abandoned` every run still `running` whose heartbeat is older than the lease. */
  async sweep(): Promise<string[]> {
    const [rows] = await this.runs.query<[{ id: string; owner: string | null }[], number]>(
      `UPDATE ingestion_runs
          SET status = 'abandoned', finished_at = now(),
              message = 'Abandoned: the process running it stopped, or lost the database, before it could record how it ended (last heartbeat '
                        || coalesce(to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'never') || ').'
        WHERE status = 'running'
          AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $1))
          AND NOT (id = ANY($2::uuid[]))
        RETURNING id, owner`,
      [this.leaseSeconds, [...this.live]],
    );
    for (const row of rows) {
      this.logger.warn({ run_id: row.id, owner: row.owner }, `Ingestion run ${row.id} abandoned by its process`);
    }
    return rows.map((r) => r.id);
  }

  private async close(
    id: string,
    row: Pick<IngestionRun, 'message' | 'counts' | 'errorCount' | 'errors'> & { status: RunOutcome['status'] },
  ): Promise<void> {
    await this.runs
      .createQueryBuilder()
      .update()
      .set({ ...row, finishedAt: () => 'now()' })
      .where(`id = :id AND status IN ('running', 'abandoned')`, { id })
      .execute();
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

/** Longest run message kept in the history (a message is a sentence or two; more is noise). */
const MAX_RUN_MESSAGE = 2_000;
