import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import { LargeAnswersInPieces } from '../common/answers-in-pieces';
import { ErrorResponse } from '../common/errors/error-response';
import { ReadRateLimited } from '../rate-limits/rate-limits';
import { AnomaliesService } from './anomalies.service';
import { AnomaliesQuery } from './dto/anomalies.query';
import { AnomalyReport } from './dto/anomalies.response';

/** Unusual daily cost per team and cell; members see their own team only (scopeToTeam). */
@ApiTags('analytics')
@Authenticated()
@ReadRateLimited()
@ApiBadRequestResponse({ description: 'A query parameter is invalid (named in details)', type: ErrorResponse })
@ApiConflictResponse({
  description: 'The judged days reach archived months, whose costs by team are no longer kept (named in details)',
  type: ErrorResponse,
})
@UseInterceptors(LargeAnswersInPieces)
@Controller('analytics')
export class AnomaliesController {
  constructor(private readonly anomalies: AnomaliesService) {}

  @Get('anomalies')
  @ApiOperation({
    summary: "Days on which a team's cost on a provider's GPU type left its weekday-aware baseline",
    description:
      'Each judged day is compared with the same weekday over the trailing ANOMALY_WINDOW_DAYS days; ' +
      'reported when the change is at least ANOMALY_MIN_USD and ANOMALY_MIN_SCORE robust deviations. ' +
      'With label.<key>=<value> filters, each series is the cost of the jobs carrying those labels, judged against ' +
      'its own history: a spike of one project that the team total hides.',
  })
  @ApiOkResponse({ type: AnomalyReport })
  @ApiForbiddenResponse({ description: "A member named another team's team_id", type: ErrorResponse })
  list(@Query() q: AnomaliesQuery, @CurrentUser() user: UserPrincipal): Promise<AnomalyReport> {
    return this.anomalies.search(
      { start: q.start, end: q.end, teamId: scopeToTeam(user, q.team_id), labels: q.labels },
      q.limit,
    );
  }
}
