import type { EntityManager } from 'typeorm';
import {
  type AllocationService,
  CELLS_PATH_INTERVALS,
  type JobInterval,
  type JobUsageChange,
} from '../../allocation/allocation.service';
import type { JobsWriter, WrittenJob } from '../../jobs/jobs.writer';
import type { TeamsService, TeamToEnsure } from '../../teams/teams.service';
import type { JobRecord } from '../records/job-record';
import type { TeamDefinition } from '../records/team-definition';
import type { BatchResult, BatchWriter } from './batch-writer';

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
    private readonly jobs: JobsWriter,
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
    const teamId = (name: string) => {
      const id = this.teamIds.get(name) ?? ensured?.idsByName.get(name);
      // ensureTeams finds or creates every name it is given, so a miss is a bug, not bad input.
      if (id === undefined) throw new Error(`No id for team ${name}`);
      return id;
    };

    const written = await this.jobs.upsert(
      manager,
      batch.map((r) => ({ ...r, teamId: teamId(r.teamName) })),
    );

    await this.refuseArchivedChanges(manager, batch, written);

    const intervals: JobInterval[] = [];
    let inserted = 0;
    const writtenByJobId = new Map<string, WrittenJob>();
    for (const row of written) {
      writtenByJobId.set(row.job_id, row);
      if (row.inserted) inserted++;
      if (row.old_provider !== null && row.old_gpu_type !== null && row.old_start_time !== null) {
        intervals.push({
          jobUuid: row.id,
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
          jobUuid: row.id,
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

  /**
   * Written jobs must leave archived days as they were archived (the refresh no longer touches
   * them): the batch is refused otherwise, before its changes are marked. Unchanged jobs are not
   * written, so a file re-sent after archiving still passes.
   */
  private async refuseArchivedChanges(
    manager: EntityManager,
    batch: JobRecord[],
    written: WrittenJob[],
  ): Promise<void> {
    if (!written.length) return;
    const records = new Map(batch.map((r) => [r.jobId, r]));
    const changes: JobUsageChange[] = written.map((row) => {
      const r = records.get(row.job_id)!;
      return {
        jobId: row.job_id,
        old:
          row.old_provider === null
            ? null
            : {
                provider: row.old_provider,
                gpuType: row.old_gpu_type!,
                gpuCount: row.old_gpu_count!,
                status: row.old_status!,
                startTime: row.old_start_time!,
                endTime: row.old_end_time,
              },
        new: {
          provider: r.provider,
          gpuType: r.gpuType,
          gpuCount: r.gpuCount,
          status: r.status,
          startTime: r.startTime,
          endTime: r.endTime,
        },
      };
    });
    await this.allocation.refuseArchivedJobChanges(manager, changes);
  }
}
