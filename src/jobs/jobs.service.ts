import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { scopeToTeam } from '../auth/team-scope';
import { UserPrincipal } from '../auth/principal';
import { addDays } from '../common/calendar';
import { badRequest, notFound } from '../common/errors/domain-error';
import { JobDetailResponse, JobResponse, JobsPage } from './dto/job.response';
import { ListJobsQuery } from './dto/list-jobs.query';
import { decodeCursor, JobsKey, SortOrder } from './jobs-cursor';
import { buildJobQuery, buildJobsPageQuery, JobsPageRequest, JobsPageRow, toJobsPage } from './jobs.query';

@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  /** A page of the jobs the caller may see; members only ever get their own team's. */
  async list(user: UserPrincipal, query: ListJobsQuery): Promise<JobsPage> {
    const request = this.toPageRequest(user, query);
    const { text, values } = buildJobsPageQuery(request);
    const [row] = await this.db.query<JobsPageRow[]>(text, values);
    return toJobsPage(row, request);
  }

  /** One job, or 404 when it does not exist or belongs to a team the caller may not see. */
  async get(user: UserPrincipal, jobId: string): Promise<JobDetailResponse> {
    const { text, values } = buildJobQuery(jobId, scopeToTeam(user));
    const [row] = await this.db.query<{ job: JobResponse }[]>(text, values);
    if (!row) throw notFound(`No job ${jobId}`);
    const job = row.job;
    return { ...job, daily_costs: await this.allocation.dailyCostsOfJob(job.id) };
  }

  private toPageRequest(user: UserPrincipal, query: ListJobsQuery): JobsPageRequest {
    const order: SortOrder = query.sort === 'start_time' ? 'asc' : 'desc';
    let after: JobsKey | undefined;
    if (query.cursor !== undefined) {
      if (query.skip !== 0) throw badRequest('skip must be 0 (or left out) when paging with a cursor', 'skip');
      after = decodeCursor(query.cursor, order);
    }
    return {
      teamId: scopeToTeam(user, query.team_id),
      status: query.status,
      provider: query.provider,
      gpuType: query.gpu_type,
      modelName: query.model_name,
      labels: query.labels,
      from: query.start === undefined ? undefined : utcMidnight(query.start),
      // end is an inclusive date: the window runs to the next midnight.
      toExclusive: query.end === undefined ? undefined : utcMidnight(addDays(query.end, 1)),
      order,
      after,
      skip: query.skip,
      limit: query.limit,
    };
  }
}

/** The instant a (validated) YYYY-MM-DD UTC date begins. */
const utcMidnight = (date: string) => `${date}T00:00:00.000Z`;
