import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { ErrorResponse } from '../common/errors/error-response';
import { ReadRateLimited } from '../rate-limits/rate-limits';
import { CostExplanationQuery, CostExplanationResponse } from './dto/cost-explanation.dto';
import { JobCostService } from './job-cost.service';

@ApiTags('jobs')
@ReadRateLimited()
@Controller('jobs')
export class JobCostController {
  constructor(private readonly cost: JobCostService) {}

  @Get(':job_id/cost/explain')
  @Authenticated()
  @ApiOperation({
    summary:
      "Why a job cost what it did on a UTC day: its cell, the rule that priced it, its share, and the idle treatment's effect",
  })
  @ApiOkResponse({ type: CostExplanationResponse })
  @ApiBadRequestResponse({ description: 'day or idle is invalid (named in details)', type: ErrorResponse })
  @ApiNotFoundResponse({
    description: 'No such job, not visible to the caller, or no GPU used that day',
    type: ErrorResponse,
  })
  @ApiConflictResponse({ description: 'The day is archived (details name `day`)', type: ErrorResponse })
  explain(
    @CurrentUser() user: UserPrincipal,
    @Param('job_id') jobId: string,
    @Query() query: CostExplanationQuery,
  ): Promise<CostExplanationResponse> {
    return this.cost.explain(user, jobId, query.day, query.idle ?? 'separate');
  }
}
