import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JobStatus } from './job-status';

/**
 * One statement per batch: unnest the columns, insert new jobs, update only jobs whose values
 * differ (`IS DISTINCT FROM`, so re-sent rows cost no write, no WAL, no `updated_at` change).
 * The outer SELECT runs on the statement's snapshot, so joining `jobs` there yields the version
 * from before the write: the old interval, whose allocation cells must be recomputed too (and its
 * GPUs and status, which tell whether its usage on archived days would change). Only
 * updated jobs have one; the new intervals are the batch's own records, so little comes back.
 */
const UPSERT_JOBS = `
  WITH written AS (
    INSERT INTO jobs AS j (job_id, team_id, model_name, provider, gpu_type, gpu_count, start_time, end_time, status,
                           labels, gpu_utilization)
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[],
                         $7::timestamptz[], $8::timestamptz[], $9::text[], $10::jsonb[], $11::numeric[])
    ON CONFLICT (job_id) DO UPDATE SET
      team_id = EXCLUDED.team_id, model_name = EXCLUDED.model_name, provider = EXCLUDED.provider,
      gpu_type = EXCLUDED.gpu_type, gpu_count = EXCLUDED.gpu_count, start_time = EXCLUDED.start_time,
      end_time = EXCLUDED.end_time, status = EXCLUDED.status, labels = EXCLUDED.labels,
      gpu_utilization = EXCLUDED.gpu_utilization, updated_at = now()
    WHERE (j.team_id, j.model_name, j.provider, j.gpu_type, j.gpu_count, j.start_time, j.end_time, j.status,
           j.labels, j.gpu_utilization)
          IS DISTINCT FROM
          (EXCLUDED.team_id, EXCLUDED.model_name, EXCLUDED.provider, EXCLUDED.gpu_type, EXCLUDED.gpu_count,
           EXCLUDED.start_time, EXCLUDED.end_time, EXCLUDED.status, EXCLUDED.labels, EXCLUDED.gpu_utilization)
    RETURNING j.id, j.job_id, (j.xmax = 0) AS inserted
  )
  SELECT w.id, w.job_id, w.inserted,
         p.provider AS old_provider, p.gpu_type AS old_gpu_type, p.start_time AS old_start_time, p.end_time AS old_end_time,
         p.gpu_count::text AS old_gpu_count, p.status AS old_status
    FROM written w
    -- LATERAL keeps this an index probe per updated row, never a scan of the whole table; OFFSET 0
    -- keeps the subquery whole, so NOT w.inserted gates the probe instead of filtering after it
    -- (a batch of new jobs then probes nothing).
    LEFT JOIN LATERAL (SELECT * FROM jobs WHERE jobs.job_id = w.job_id AND NOT w.inserted OFFSET 0) p ON true`;

/** A job as the upsert writes it: validated, normalised, its team resolved to an id. */
export interface JobToWrite {
  jobId: string;
  teamId: string;
  modelName: string;
  provider: string;
  gpuType: string;
  /** Decimal text, so that fractional GPUs reach `numeric` exactly. */
  gpuCount: string;
  startTime: string;
  endTime: string | null;
  status: JobStatus;
  /** Key → value (common/labels.ts); {} when the job has none. */
  labels: Record<string, string>;
  /** Decimal text 0–1; null when the job does not report it. */
  gpuUtilization: string | null;
}

/** A job the upsert inserted or changed; `old_*` is the version it replaced (null when inserted). */
export interface WrittenJob {
  /** `jobs.id`. */
  id: string;
  job_id: string;
  inserted: boolean;
  old_provider: string | null;
  old_gpu_type: string | null;
  old_start_time: Date | null;
  old_end_time: Date | null;
  old_gpu_count: string | null;
  old_status: JobStatus | null;
}

/**
 * The one writer of `jobs`. It runs in the caller's transaction, so that whatever the caller
 * does with the result (marking the allocation) commits with it.
 */
@Injectable()
export class JobsWriter {
  /**
   * Inserts new jobs and updates changed ones by `job_id`; unchanged jobs are not written and
   * not returned. `jobs` must not repeat a `job_id` (one statement cannot update a row twice).
   */
  async upsert(manager: EntityManager, jobs: JobToWrite[]): Promise<WrittenJob[]> {
    if (!jobs.length) return [];
    return manager.query<WrittenJob[]>(UPSERT_JOBS, [
      jobs.map((j) => j.jobId),
      jobs.map((j) => j.teamId),
      jobs.map((j) => j.modelName),
      jobs.map((j) => j.provider),
      jobs.map((j) => j.gpuType),
      jobs.map((j) => j.gpuCount),
      jobs.map((j) => j.startTime),
      jobs.map((j) => j.endTime),
      jobs.map((j) => j.status),
      jobs.map((j) => JSON.stringify(j.labels)),
      jobs.map((j) => j.gpuUtilization),
    ]);
  }
}
