import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { IdleMode } from '../common/idle.query';
import { AllocationService } from '../allocation/allocation.service';
import { UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import { conflict, notFound } from '../common/errors/domain-error';
import { explainJobDay } from './cost-explanation';
import type { CostExplanationResponse } from './dto/cost-explanation.dto';
import type { JobResponse } from './dto/job.response';
import { buildJobQuery } from './jobs.query';

/** Why a job cost what it did on a day ("explain this dollar"). */
@Injectable()
export class JobCostService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  /**
   * 404 when the job does not exist, is another team's (members), or used no GPU that day; 409
   * when the day is archived (its job-days are gone, whether the job used it or not).
   */
  async explain(user: UserPrincipal, jobId: string, day: string, idle: IdleMode): Promise<CostExplanationResponse> {
    const teamId = scopeToTeam(user);
    const { text, values } = buildJobQuery(jobId, teamId);
    const [row] = await this.db.query<{ job: JobResponse }[]>(text, values);
    if (!row) throw notFound(`No job ${jobId}`);
    const job = row.job;
    const cell = await this.allocation.jobDayInCell({ id: job.id, provider: job.provider, gpuType: job.gpu_type }, day);
    if (!cell) {
      const archived = await this.allocation.archivedWithin(day, day);
      if (archived) {
        throw conflict(
          `${day} is archived (month ${archived.months[0]}): its job-days are in the archive's FOCUS file, ` +
            `and a job's day can be explained from ${archived.before} on`,
          'day',
        );
      }
      throw notFound(`Job ${jobId} used no GPU on ${day}`);
    }
    return explainJobDay(job, day, cell, idle, teamId);
  }
}
