import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { ErrorResponse } from '../common/errors/error-response';
import { ReadRateLimited } from '../rate-limits/rate-limits';
import { JobDetailResponse, JobsPage } from './dto/job.response';
import { ListJobsQuery } from './dto/list-jobs.query';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ReadRateLimited()
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: "Jobs, newest first; members see only their team's" })
  @ApiOkResponse({ type: JobsPage })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid (named in details)', type: ErrorResponse })
  @ApiForbiddenResponse({ description: "A member asked for another team's jobs", type: ErrorResponse })
  list(@CurrentUser() user: UserPrincipal, @Query() query: ListJobsQuery): Promise<JobsPage> {
    return this.jobs.list(user, query);
  }

  @Get(':job_id')
  @Authenticated()
  @ApiOperation({ summary: 'One job by its job_id' })
  @ApiOkResponse({ type: JobDetailResponse })
  @ApiNotFoundResponse({ description: 'No such job, or not visible to the caller', type: ErrorResponse })
  get(@CurrentUser() user: UserPrincipal, @Param('job_id') jobId: string): Promise<JobDetailResponse> {
    return this.jobs.get(user, jobId);
  }
}
