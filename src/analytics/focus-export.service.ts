import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Semaphore, type SemaphoreInterface, withTimeout } from 'async-mutex';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, type QueryRunner } from 'typeorm';
import { jobDayCost, sameCell } from '../allocation/allocation-reads';
import { AllocationService } from '../allocation/allocation.service';
import { csvWriter } from '../common/csv';
import { ClientAbortedError } from '../common/errors/client-aborted';
import { RetryLaterError } from '../common/errors/retry-later.error';
import { EventLoopTurns } from '../common/event-loop-turns';
import type { IdleMode } from '../common/idle.query';
import { labelsContaining, type LabelFilter } from '../common/label-filters';
import { Env } from '../config/env';
import { refuseArchived } from './archived-reads';

/** The FinOps FOCUS columns of the export, in order (x_ columns are Heliox's own). */
export const FOCUS_COLUMNS = [
  // One billing account per provider, as Heliox sees the bills (its snapshots): named by the provider.
  'BillingAccountId',
  'BillingAccountName',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'BilledCost',
  'EffectiveCost',
  // No list or negotiated prices are known: the allocated cost is all of them.
  'ListCost',
  'ContractedCost',
  'BillingCurrency',
  'ChargeCategory',
  // Null: no row corrects an earlier billing period.
  'ChargeClass',
  'ChargeDescription',
  'ProviderName',
  'PublisherName',
  'InvoiceIssuerName',
  'ServiceCategory',
  'ServiceName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'SkuId',
  'ConsumedQuantity',
  'ConsumedUnit',
  'PricingQuantity',
  'PricingUnit',
  'x_JobId',
  'x_TeamId',
  'x_TeamName',
  'x_ModelName',
  'x_GpuType',
  'x_JobStatus',
  // FOCUS 1.3 split cost allocation: each job-day is an allocated charge of its cell's snapshot;
  // the idle of a cell, the unallocated portion (or an owner's). Capacity maps to FOCUS's
  // capacity reservation (Used by jobs, Unused when idle).
  'AllocatedMethodId',
  'AllocatedMethodDetails',
  'AllocatedResourceId',
  'AllocatedResourceName',
  'AllocatedTags',
  'CapacityReservationId',
  'CapacityReservationStatus',
  // The job's labels (user-defined tags, so unprefixed), and the utilization it reports.
  'Tags',
  'x_GpuUtilization',
] as const;

/** Rows fetched per round trip: memory stays flat whatever the range. */
const PAGE_SIZE = 5_000;
/** Rows written as CSV between two turns of the event loop (about 7 ms of work). */
const ROWS_PER_TURN = 250;

interface Cursor {
  day: string;
  provider: string;
  gpu_type: string;
  job_uuid: string;
}

/**
 * How a row's cost was split from its snapshot (AllocatedMethodId; docs/allocation.md, "FOCUS
 * export"). `x`: the cell; `idle`: the treatment. A cell is capacity-priced when its capacity
 * holds at least the GPU-hours used.
 */
const CAPACITY_PRICED = 'x.capacity_gpu_hours >= x.gpu_hours';
const jobMethod = (idle: IdleMode) => `CASE WHEN x.snapshot_cost_usd IS NULL THEN NULL
    WHEN ${CAPACITY_PRICED} THEN '${idle === 'share' ? 'heliox:capacity-idle-shared' : 'heliox:capacity'}'
    ELSE 'heliox:gpu-hours' END`;
/** A job-day's share of its snapshot, in GPU-hours: of the capacity under the capacity price, else of the hours used. */
const jobRatio = (idle: IdleMode) =>
  idle === 'share'
    ? 'a.gpu_hours / x.gpu_hours'
    : `a.gpu_hours / CASE WHEN ${CAPACITY_PRICED} THEN x.capacity_gpu_hours ELSE x.gpu_hours END`;

/** AllocatedMethodDetails: FOCUS's Elements (the ratio and the GPU-hours behind it) and Heliox's own keys. */
const methodDetails = (ratio: string, gpuHours: string, idle: IdleMode) => `json_build_object(
    'Elements', json_build_array(json_build_object(
      'AllocatedRatio', round(${ratio}, 12), 'UsageUnit', 'GPU-Hours', 'UsageQuantity', round(${gpuHours}, 6))),
    'x_IdleTreatment', '${idle}',
    'x_PricePerGpuHour', round(x.rate, 12),
    'x_CapacityGpuHours', x.capacity_gpu_hours)::text`;

/** The columns every row shares, from a cell `x` of day `x.day`. */
const PERIOD_COLUMNS = `
  x.provider AS "BillingAccountId", x.provider AS "BillingAccountName", NULL AS "ChargeClass",
  to_char(date_trunc('month', x.day), 'YYYY-MM-DD"T00:00:00Z"') AS "BillingPeriodStart",
  to_char(date_trunc('month', x.day) + interval '1 month', 'YYYY-MM-DD"T00:00:00Z"') AS "BillingPeriodEnd",
  to_char(x.day, 'YYYY-MM-DD"T00:00:00Z"') AS "ChargePeriodStart",
  to_char(x.day + 1, 'YYYY-MM-DD"T00:00:00Z"') AS "ChargePeriodEnd",
  'USD' AS "BillingCurrency", 'Usage' AS "ChargeCategory",
  x.provider AS "ProviderName", x.provider AS "PublisherName", x.provider AS "InvoiceIssuerName",
  'Compute' AS "ServiceCategory", 'GPU compute' AS "ServiceName",
  x.provider || ':' || x.gpu_type AS "SkuId", 'GPU-Hours' AS "ConsumedUnit", 'GPU-Hours' AS "PricingUnit",
  x.gpu_type AS "x_GpuType", NULL AS "AllocatedTags", x.capacity_id::text AS "CapacityReservationId"`;

/**
 * An export reads every page in one snapshot, on one connection held for as long as it streams
 * (for a slow client, minutes). At most a quarter of the pool's connections are held so; the
 * rest of the API keeps the others.
 */
const EXPORT_SHARE_OF_POOL = 4;
/** How long an export waits for another to finish before it answers 503 with Retry-After. */
const EXPORT_SLOT_WAIT_MS = 5_000;

/**
 * Allocated cost per job-day as FOCUS rows, then the idle of the cells those jobs used (and,
 * under idle=owner, the idle charged to owner teams), streamed as CSV page by page (keyset
 * pagination).
 */
@Injectable()
export class FocusExportService {
  private readonly slots: SemaphoreInterface;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
    config: ConfigService<Env, true>,
  ) {
    const slots = Math.max(1, Math.floor(config.get('DB_POOL_SIZE', { infer: true }) / EXPORT_SHARE_OF_POOL));
    this.slots = withTimeout(
      new Semaphore(slots),
      EXPORT_SLOT_WAIT_MS,
      new RetryLaterError(`${slots} exports are being written; try again shortly`),
    );
  }

  /**
   * The export of the API. A window reaching archived months is refused (409) before anything is
   * written: their job-day rows are in the archive's file, and an export without them would look
   * complete.
   */
  async write(
    out: Writable,
    start: string,
    end: string,
    teamId: string | undefined,
    idle: IdleMode = 'separate',
    labels: LabelFilter[] = [],
  ): Promise<void> {
    refuseArchived(await this.allocation.archivedWithin(start, end), 'start', 'FOCUS rows');
    try {
      await this.stream(out, start, end, teamId, idle, labels);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
        throw new ClientAbortedError('the client closed the connection before the export was written');
      }
      throw error;
    }
  }

  /**
   * The export of months being archived (closed, their rows still there): every team, idle kept
   * separate, as `npm run archive` writes its file.
   */
  writeClosedMonths(out: Writable, start: string, end: string): Promise<void> {
    return this.stream(out, start, end, undefined, 'separate', []);
  }

  private async stream(
    out: Writable,
    start: string,
    end: string,
    teamId: string | undefined,
    idle: IdleMode,
    labels: LabelFilter[],
  ): Promise<void> {
    const labelled = labels.length ? labelsContaining(labels) : null;
    await this.allocation.ensureFresh();
    const [, release] = await this.slots.acquire();
    const runner = this.dataSource.createQueryRunner();
    let open = false;
    try {
      await runner.connect();
      // Every page in one snapshot: read page by page in transactions of their own, an export
      // that a bill's upload overtook carried the old cost in its first pages and the new one in
      // the rest, and summed to neither.
      await runner.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      const rows = this.rows(runner, start, end, teamId, idle, labelled);
      // Until a row is read nothing is written, so a failure (the database gone) is still answered
      // as an error; after it, the answer has started and can only be cut off.
      const first = await rows.next();
      const source = async function* () {
        if (first.done) return;
        yield first.value;
        yield* rows;
      };
      // A pipeline, not pipe(): when `out` closes early (a client gone) or fails (a disk full), the
      // reads stop and this rejects, where waiting for the CSV's drain or end waited for ever.
      await pipeline(Readable.from(source()), csvWriter({ header: true, columns: [...FOCUS_COLUMNS] }), out);
    } finally {
      // Read only: ending it either way writes nothing; a connection lost meanwhile has ended it.
      if (open) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
      release();
    }
  }

  /** The job-day rows, then the idle rows, a page at a time. */
  private async *rows(
    runner: QueryRunner,
    start: string,
    end: string,
    teamId: string | undefined,
    idle: IdleMode,
    labelled: string | null,
  ): AsyncGenerator<Record<string, string>> {
    for (const page of [
      (after: Cursor | null) => this.jobPage(runner, start, end, teamId, idle, labelled, after),
      // Idle carries no labels: a label filter leaves none.
      (after: Cursor | null) =>
        labelled ? Promise.resolve([]) : this.idlePage(runner, start, end, teamId, idle, after),
    ]) {
      const turns = new EventLoopTurns(ROWS_PER_TURN);
      let cursor: Cursor | null = null;
      for (;;) {
        const rows = await page(cursor);
        for (const row of rows) {
          // A client that reads as fast as it is written never pushes back, and a page went out as
          // CSV in one run of microtasks: 145 ms in which the process answered nothing else.
          await turns.next();
          yield row;
        }
        if (rows.length < PAGE_SIZE) break;
        const last = rows[rows.length - 1];
        cursor = { day: last.day, provider: last.provider, gpu_type: last.gpu_type, job_uuid: last.job_uuid };
      }
    }
  }

  private jobPage(
    runner: QueryRunner,
    start: string,
    end: string,
    teamId: string | undefined,
    idle: IdleMode,
    labelled: string | null,
    after: Cursor | null,
  ) {
    const cost = jobDayCost('a.gpu_hours', idle === 'share' ? 'x.share_rate' : 'x.rate');
    return pageOf(
      runner,
      `SELECT a.day::text AS day, a.provider, a.gpu_type, a.job_uuid::text AS job_uuid, ${PERIOD_COLUMNS},
              round(${cost}, 6)::text AS "BilledCost",
              round(${cost}, 6)::text AS "EffectiveCost",
              round(${cost}, 6)::text AS "ListCost",
              round(${cost}, 6)::text AS "ContractedCost",
              a.gpu_type || ' GPU usage of job ' || j.job_id AS "ChargeDescription",
              a.job_uuid::text AS "ResourceId", j.job_id AS "ResourceName", 'GPU job' AS "ResourceType",
              round(a.gpu_hours, 6)::text AS "ConsumedQuantity",
              round(a.gpu_hours, 6)::text AS "PricingQuantity",
              j.job_id AS "x_JobId", a.team_id::text AS "x_TeamId", t.name AS "x_TeamName",
              a.model_name AS "x_ModelName", a.status AS "x_JobStatus",
              ${jobMethod(idle)} AS "AllocatedMethodId",
              CASE WHEN x.snapshot_cost_usd IS NOT NULL THEN ${methodDetails(jobRatio(idle), 'a.gpu_hours', idle)} END
                AS "AllocatedMethodDetails",
              CASE WHEN x.snapshot_cost_usd IS NOT NULL THEN a.job_uuid::text END AS "AllocatedResourceId",
              CASE WHEN x.snapshot_cost_usd IS NOT NULL THEN j.job_id END AS "AllocatedResourceName",
              CASE WHEN x.capacity_id IS NOT NULL THEN 'Used' END AS "CapacityReservationStatus",
              CASE WHEN a.labels <> '{}'::jsonb THEN a.labels::text END AS "Tags",
              a.gpu_utilization::text AS "x_GpuUtilization"
       FROM job_day_allocations a
       JOIN allocation_cells x ON ${sameCell('x', 'a')}
       JOIN jobs j ON j.id = a.job_uuid
       JOIN teams t ON t.id = a.team_id
       WHERE a.day BETWEEN $1::date AND $2::date
         AND ($3::uuid IS NULL OR a.team_id = $3::uuid)
         AND ($4::date IS NULL OR (a.day, a.provider, a.gpu_type, a.job_uuid) > ($4::date, $5::text, $6::text, $7::uuid))
         AND ($8::jsonb IS NULL OR a.labels @> $8::jsonb)
       ORDER BY a.day, a.provider, a.gpu_type, a.job_uuid
       LIMIT ${PAGE_SIZE}`,
      [start, end, teamId ?? null, ...cursorParams(after), labelled],
    );
  }

  /**
   * The idle of cells, one row each: under separate the unused capacity of cells jobs used (the
   * unallocated portion of their split: no AllocatedResourceId, no team); under owner, also
   * every owned cell's idle charged to its owner team. Share leaves none (a used cell's idle is
   * in its jobs' rows). A member sees its own team's owner rows only. A snapshot nobody used and
   * nobody owns is not split, and is not exported (reports count it in unallocated_usd).
   */
  private idlePage(
    runner: QueryRunner,
    start: string,
    end: string,
    teamId: string | undefined,
    idle: IdleMode,
    after: Cursor | null,
  ) {
    if (idle === 'share') return Promise.resolve([]);
    const owned = idle === 'owner' ? 'x.owner_team_id' : 'NULL::uuid';
    return pageOf(
      runner,
      `SELECT x.day::text AS day, x.provider, x.gpu_type, '' AS job_uuid, ${PERIOD_COLUMNS},
              round(x.unallocated_usd, 6)::text AS "BilledCost",
              round(x.unallocated_usd, 6)::text AS "EffectiveCost",
              round(x.unallocated_usd, 6)::text AS "ListCost",
              round(x.unallocated_usd, 6)::text AS "ContractedCost",
              x.gpu_type || ' GPUs reserved and unused' AS "ChargeDescription",
              x.capacity_id::text AS "ResourceId", x.provider || ' ' || x.gpu_type || ' capacity' AS "ResourceName",
              'GPU capacity' AS "ResourceType",
              round(idle_hours.h, 6)::text AS "ConsumedQuantity",
              round(idle_hours.h, 6)::text AS "PricingQuantity",
              NULL AS "x_JobId", o.id::text AS "x_TeamId", o.name AS "x_TeamName", NULL AS "x_ModelName",
              NULL AS "x_JobStatus",
              CASE WHEN o.id IS NULL THEN 'heliox:capacity' ELSE 'heliox:capacity-idle-owner' END AS "AllocatedMethodId",
              ${methodDetails('idle_hours.h / x.capacity_gpu_hours', 'idle_hours.h', idle)} AS "AllocatedMethodDetails",
              o.id::text AS "AllocatedResourceId", o.name AS "AllocatedResourceName",
              'Unused' AS "CapacityReservationStatus", NULL AS "Tags", NULL AS "x_GpuUtilization"
       FROM allocation_cells x
       LEFT JOIN teams o ON o.id = ${owned}
       CROSS JOIN LATERAL (SELECT x.capacity_gpu_hours - x.gpu_hours AS h) idle_hours
       WHERE x.day BETWEEN $1::date AND $2::date
         AND x.capacity_id IS NOT NULL AND x.unallocated_usd > 0 AND (x.job_count > 0 OR o.id IS NOT NULL)
         AND ($3::uuid IS NULL OR o.id = $3::uuid)
         AND ($4::date IS NULL OR (x.day, x.provider, x.gpu_type) > ($4::date, $5::text, $6::text))
       ORDER BY x.day, x.provider, x.gpu_type
       LIMIT ${PAGE_SIZE}`,
      [start, end, teamId ?? null, ...cursorParams(after).slice(0, 3)],
    );
  }
}

/** A page of rows through the export's query runner (its `query` is not generic). */
const pageOf = (runner: QueryRunner, sql: string, params: unknown[]): Promise<(Record<string, string> & Cursor)[]> =>
  runner.query(sql, params) as Promise<(Record<string, string> & Cursor)[]>;

/** The keyset after a page's last row (an idle page's rows have no job). */
const cursorParams = (after: Cursor | null) =>
  after ? [after.day, after.provider, after.gpu_type, after.job_uuid] : [null, null, null, null];
