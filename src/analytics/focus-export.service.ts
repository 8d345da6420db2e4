import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { jobDayCost, sameCell } from '../allocation/allocation-reads';
import { AllocationService } from '../allocation/allocation.service';
import { csvWriter } from '../common/csv';

/** The FinOps FOCUS columns of the export, in order (x_ columns are Heliox's own). */
export const FOCUS_COLUMNS = [
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
  'ChargeCategory',
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
] as const;

/** Rows fetched per round trip: memory stays flat whatever the range. */
const PAGE_SIZE = 5_000;

interface Cursor {
  day: string;
  provider: string;
  gpu_type: string;
  job_uuid: string;
}

/** Allocated cost per job-day as FOCUS rows, streamed as CSV page by page (keyset pagination). */
@Injectable()
export class FocusExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  async write(out: Writable, start: string, end: string, teamId: string | undefined): Promise<void> {
    await this.allocation.ensureFresh();
    const csv = csvWriter({ header: true, columns: [...FOCUS_COLUMNS] });
    csv.pipe(out);
    let cursor: Cursor | null = null;
    for (;;) {
      const page = await this.page(start, end, teamId, cursor);
      for (const row of page) {
        if (!csv.write(row)) await once(csv, 'drain');
      }
      if (page.length < PAGE_SIZE) break;
      const last = page[page.length - 1];
      cursor = { day: last.day, provider: last.provider, gpu_type: last.gpu_type, job_uuid: last.job_uuid };
    }
    csv.end();
    await once(csv, 'end');
  }

  private page(start: string, end: string, teamId: string | undefined, after: Cursor | null) {
    return this.dataSource.query<(Record<string, string> & Cursor)[]>(
      `SELECT a.day::text AS day, a.provider, a.gpu_type, a.job_uuid::text AS job_uuid,
              to_char(date_trunc('month', a.day), 'YYYY-MM-DD"T00:00:00Z"') AS "BillingPeriodStart",
              to_char(date_trunc('month', a.day) + interval '1 month', 'YYYY-MM-DD"T00:00:00Z"') AS "BillingPeriodEnd",
              to_char(a.day, 'YYYY-MM-DD"T00:00:00Z"') AS "ChargePeriodStart",
              to_char(a.day + 1, 'YYYY-MM-DD"T00:00:00Z"') AS "ChargePeriodEnd",
              round(${jobDayCost('a.gpu_hours', 'c.rate')}, 6)::text AS "BilledCost",
              round(${jobDayCost('a.gpu_hours', 'c.rate')}, 6)::text AS "EffectiveCost",
              'USD' AS "BillingCurrency",
              'Usage' AS "ChargeCategory",
              a.gpu_type || ' GPU usage of job ' || j.job_id AS "ChargeDescription",
              a.provider AS "ProviderName", a.provider AS "PublisherName", a.provider AS "InvoiceIssuerName",
              'Compute' AS "ServiceCategory",
              'GPU compute' AS "ServiceName",
              a.job_uuid::text AS "ResourceId", j.job_id AS "ResourceName", 'GPU job' AS "ResourceType",
              a.provider || ':' || a.gpu_type AS "SkuId",
              round(a.gpu_hours, 6)::text AS "ConsumedQuantity", 'GPU-Hours' AS "ConsumedUnit",
              round(a.gpu_hours, 6)::text AS "PricingQuantity", 'GPU-Hours' AS "PricingUnit",
              j.job_id AS "x_JobId", a.team_id::text AS "x_TeamId", t.name AS "x_TeamName",
              a.model_name AS "x_ModelName", a.gpu_type AS "x_GpuType", a.status AS "x_JobStatus"
       FROM job_day_allocations a
       JOIN allocation_cells c ON ${sameCell('c', 'a')}
       JOIN jobs j ON j.id = a.job_uuid
       JOIN teams t ON t.id = a.team_id
       WHERE a.day BETWEEN $1::date AND $2::date
         AND ($3::uuid IS NULL OR a.team_id = $3::uuid)
         AND ($4::date IS NULL OR (a.day, a.provider, a.gpu_type, a.job_uuid) > ($4::date, $5::text, $6::text, $7::uuid))
       ORDER BY a.day, a.provider, a.gpu_type, a.job_uuid
       LIMIT ${PAGE_SIZE}`,
      [
        start,
        end,
        teamId ?? null,
        after?.day ?? null,
        after?.provider ?? null,
        after?.gpu_type ?? null,
        after?.job_uuid ?? null,
      ],
    );
  }
}
