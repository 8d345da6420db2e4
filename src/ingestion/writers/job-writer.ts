import type { EntityManager } from 'typeorm';
import { type AllocationService, CELLS_PATH_INTERVALS, type JobInterval } from '../../allocation/allocation.service';
import type { TeamsService, TeamToEnsure } from '../../teams/teams.service';
import type { JobRecord } from '../records/job-record';
import type { TeamDefinition } from '../records/team-definition';
import type { BatchResult, BatchWriter } from './batch-writer';

/**
 * One statement per batch: unnest the columns, insert new jobs, update only jobs whose values
 * differ (`IS DISTINCT FROM`, so re-sent rows cost no write, no WAL, no `updated_at` change).
 * The outer SELECT runs on the statement's snapshot, so joining `jobs` there yields the version
 * from before the write: the old interval, whose allocation cells must be recomputed too. Only
 * updated jobs have one; the new intervals are the batch's own records, so little comes back.
 */
const UPSERT_JOBS = `
  WITH written AS (
    INSERT INTO jobs AS j (job_id, team_id, model_name, provider, gpu_type, gpu_count, start_time, end_time, status)
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[],
                         $7::timestamptz[], $8::timestamptz[], $9::text[])
    ON CONFLICT (job_id) DO UPDATE SET
      team_id = EXCLUDED.team_id, model_name = EXCLUDED.model_name, provider = EXCLUDED.provider,
      gpu_type = EXCLUDED.gpu_type, gpu_count = EXCLUDED.gpu_count, start_time = EXCLUDED.start_time,
      end_time = EXCLUDED.end_time, status = EXCLUDED.status, updated_at = now()
    WHERE (j.team_id, j.model_name, j.provider, j.gpu_type, j.gpu_count, j.start_time, j.end_time, j.status)
          IS DISTINCT FROM
          (EXCLUDED.team_id, EXCLUDED.model_name, EXCLUDED.provider, EXCLUDED.gpu_type, EXCLUDED.gpu_count,
           EXCLUDED.start_time, EXCLUDED.end_time, EXCLUDED.status)
    RETURNING j.id, j.job_id, (j.xmax = 0) AS inserted
  )
  SELECT w.id, w.job_id, w.inserted,
         p.provider AS old_provider, p.gpu_type AS old_gpu_type, p.start_time AS old_start_time, p.end_time AS old_end_time
    FROM written w
    -- LATERAL keeps this an index probe per updated row, never a scan of the whole table; OFFSET 0
    -- keeps the subquery whole, so NOT w.inserted gates the probe instead of filtering after it
    -- (a batch of new jobs then probes nothing).
    LEFT JOIN LATERAL (SELECT * FROM jobs WHERE jobs.job_id = w.job_id AND NOT w.inserted OFFSET 0) p ON true`;

interface WrittenJob {
  id: string;
  job_id: string;
  inserted: boolean;
  old_provider: string | null;
  old_gpu_type: string | null;
  old_start_time: Date | null;
  old_end_time: Date | null;
}

/**
 * Writes jobs for one run. Team ids are resolved once per batch for the names the run has not
 * seen yet; an id is reused by later batches only after the batch that found it committed
 * (a team created by an uncommitted batch is invisible to other transactions).
 */
export class JobBatchWriter implements BatchWriter<JobRecord> {
  private readonly teamIds = new Map<string, string>();
  private payloadTeams: TeamToEnsure[];
  private teamsCreated = 0;
  /** Job intervals this run has marked; past CELLS_PATH_INTERVALS it marks whole cells instead. */
  private markedIntervals = 0;

  constructor(
    private readonly teams: TeamsService,
    private readonly allocation: AllocationService,
    payloadTeams: TeamDefinition[],
  ) {
    this.payloadTeams = payloadTeams;
  }

  keyOf(record: JobRecord): string {
    return record.jobId;
  }

  /** Teams the run touched: `created` by it, found `existing`. */
  teamCounts(): { created: number; existing: number; total: number } {
    return { created: this.teamsCreated, existing: this.teamIds.size - this.teamsCreated, total: this.teamIds.size };
  }

  async write(manager: EntityManager, batch: JobRecord[]): Promise<BatchResult> {
    const wanted: TeamToEnsure[] = [...this.payloadTeams];
    for (const record of batch) if (!this.teamIds.has(record.teamName)) wanted.push({ name: record.teamName });
    const ensured = wanted.length ? await this.teams.ensureTeams(manager, wanted) : undefined;
    const teamId = (name: string) => this.teamIds.get(name) ?? ensured?.idsByName.get(name);

    const written: WrittenJob[] = batch.length
      ? await manager.query(UPSERT_JOBS, [
          batch.map((r) => r.jobId),
          batch.map((r) => teamId(r.teamName)),
          batch.map((r) => r.modelName),
          batch.map((r) => r.provider),
          batch.map((r) => r.gpuType),
          batch.map((r) => r.gpuCount),
          batch.map((r) => r.startTime),
          batch.map((r) => r.endTime),
          batch.map((r) => r.status),
        ])
      : [];

    const intervals: JobInterval[] = [];
    let inserted = 0;
    const writtenByJobId = new Map<string, WrittenJob>();
    for (const row of written) {
      writtenByJobId.set(row.job_id, row);
      if (row.inserted) inserted++;
      if (row.old_provider !== null && row.old_gpu_type !== null && row.old_start_time !== null) {
        intervals.push({
          jobId: row.id,
          provider: row.old_provider,
          gpuType: row.old_gpu_type,
          startTime: row.old_start_time,
          endTime: row.old_end_time,
        });
      }
    }
    for (const record of batch) {
      const row = writtenByJobId.get(record.jobId);
      if (row) {
        intervals.push({
          jobId: row.id,
          provider: record.provider,
          gpuType: record.gpuType,
          startTime: record.startTime,
          endTime: record.endTime,
          newJob: row.inserted,
        });
      }
    }
    if (intervals.length) {
      // A bulk load gets its cells recomputed anyway (see AllocationService): a few hundred cell
      // marks per batch cost less than a mark per job to write and to claim.
      const wholeCells = this.markedIntervals >= CELLS_PATH_INTERVALS;
      await this.allocation.markJobsChanged(manager, intervals, { wholeCells });
      this.markedIntervals += intervals.length;
    }

    return {
      inserted,
      updated: written.length - inserted,
      unchanged: batch.length - written.length,
      committed: () => {
        if (!ensured) return;
        this.payloadTeams = [];
        for (const [name, id] of ensured.idsByName) this.teamIds.set(name, id);
        this.teamsCreated += ensured.created;
      },
    };
  }
}
