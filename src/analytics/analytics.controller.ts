import { Controller, Get, Headers, Query, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import { csvInPieces, joinedPieces, JsonRows, LargeAnswersInPieces } from '../common/answers-in-pieces';
import { csvOf } from '../common/csv';
import { ErrorResponse } from '../common/errors/error-response';
import { ExportRateLimited, ReadRateLimited } from '../rate-limits/rate-limits';
import { AnalyticsService, CostReportWith } from './analytics.service';
import { BudgetsService } from './budgets.service';
import { BudgetReport } from './dto/budget.response';
import { BudgetsQuery, CostQuery, FocusExportQuery, GroupCostQuery, wantsCsv } from './dto/cost-query.dto';
import { CostCoverage } from './dto/coverage.response';
import { CostReport, ModelCost, TeamCost } from './dto/cost.response';
import { ForecastQuery, ForecastReport } from './dto/forecast.dto';
import { TrendsQuery, TrendsReport } from './dto/trends.dto';
import { FOCUS_COLUMNS, FocusExportService } from './focus-export.service';
import { ForecastService } from './forecast.service';

/** Members see their own team only: every read is scoped by scopeToTeam before the service. */
// The header row is the contract; the rows depend on the data.
const FOCUS_CSV_EXAMPLE = `${FOCUS_COLUMNS.join(',')}\n`;
const COST_CSV_EXAMPLE =
  'team_id,team_name,cost_usd,gpu_hours,unpriced_gpu_hours,job_count\n' +
  '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11,ml-research,720,86,6,2\n';

@ApiTags('analytics')
@Authenticated()
@ReadRateLimited()
@ApiBadRequestResponse({
  description:
    'A query parameter is invalid (named in details), or the answer would pass REPORT_MAX_ROWS rows (50,000 by ' +
    'default; details name group_by, or start for by-team and by-model)',
  type: ErrorResponse,
})
@ApiConflictResponse({
  description:
    'The window reaches archived months and the report needs what they no longer keep (their cost by team, ' +
    'model, status or label): details name the field and the months (`archived_months`)',
  type: ErrorResponse,
})
@UseInterceptors(LargeAnswersInPieces)
@Controller('analytics')
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly budgets: BudgetsService,
    private readonly focus: FocusExportService,
    private readonly forecasts: ForecastService,
  ) {}

  @Get('cost/by-model')
  @ApiOperation({
    summary: 'Allocated cost per model over inclusive UTC dates, cost descending (idle=separate or share)',
  })
  @ApiOkResponse({ type: [ModelCost] })
  byModel(@Query() q: GroupCostQuery, @CurrentUser() user: UserPrincipal): Promise<ModelCost[]> {
    return this.analytics.costByModel(q.start, q.end, scopeToTeam(user), q.idle, q.labels);
  }

  @Get('cost/by-team')
  @ApiOperation({ summary: 'Allocated cost per team over inclusive UTC dates, cost descending' })
  @ApiOkResponse({ type: [TeamCost] })
  byTeam(@Query() q: GroupCostQuery, @CurrentUser() user: UserPrincipal): Promise<TeamCost[]> {
    return this.analytics.costByTeam(q.start, q.end, scopeToTeam(user), q.idle, q.labels);
  }

  @Get('cost/export')
  @ExportRateLimited()
  @ApiOperation({ summary: 'Allocated cost per job-day as FinOps FOCUS columns (streamed CSV)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'FOCUS CSV, one row per job and UTC day, streamed',
    content: { 'text/csv': { schema: { type: 'string' }, example: FOCUS_CSV_EXAMPLE } },
  })
  async export(@Query() q: FocusExportQuery, @CurrentUser() user: UserPrincipal, @Res() res: Response): Promise<void> {
    const teamId = scopeToTeam(user);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="heliox-focus-${q.start}-${q.end}.csv"`);
    await this.focus.write(res, q.start, q.end, teamId, q.idle, q.labels);
  }

  @Get('cost')
  @ExportRateLimited((req) => wantsCsv(req.query.format, req.headers.accept))
  @ApiOperation({
    summary: 'Cost grouped by up to three dimensions, with totals; CSV with format=csv or Accept: text/csv',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(CostReport)
  @ApiOkResponse({
    description: 'The report as JSON, or its rows as CSV',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(CostReport) } },
      'text/csv': { schema: { type: 'string' }, example: COST_CSV_EXAMPLE },
    },
  })
  @ApiForbiddenResponse({ description: "A member named another team's team_id", type: ErrorResponse })
  async cost(
    @Query() q: CostQuery,
    @CurrentUser() user: UserPrincipal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CostReportWith<JsonRows> | string> {
    const { group_by, format, idle, ...filters } = q;
    const scoped = { ...filters, team_id: scopeToTeam(user, q.team_id) };
    const groupBy = group_by?.length ? group_by : ['day' as const];
    // The rows as JSON written by the database (LargeAnswersInPieces sends them as they are).
    if (!wantsCsv(format, accept)) return this.analytics.cost(scoped, groupBy, idle, 'json');
    const report = await this.analytics.cost(scoped, groupBy, idle);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="heliox-cost-${q.start}-${q.end}.csv"`);
    const columns = report.rows.length ? Object.keys(report.rows[0]) : ['cost_usd'];
    return joinedPieces(csvInPieces(report.rows, (rows, header) => csvOf(rows, { header, columns })));
  }

  @Get('coverage')
  @ApiOperation({
    summary: 'The first and last UTC day with a cost snapshot: the days whose costs are known',
    description:
      'The same for every caller (snapshots are what providers billed, not team data). The dashboard opens on ' +
      'the 30 days ending on last_snapshot_day.',
  })
  @ApiOkResponse({ type: CostCoverage })
  coverage(): Promise<CostCoverage> {
    return this.analytics.coverage();
  }

  @Get('trends')
  @ApiOperation({
    summary:
      'Allocated cost per team, model, provider or GPU type over inclusive UTC dates beside the same number ' +
      'of days just before, largest change first',
  })
  @ApiOkResponse({ type: TrendsReport })
  @ApiForbiddenResponse({ description: "A member named another team's team_id", type: ErrorResponse })
  trends(@Query() q: TrendsQuery, @CurrentUser() user: UserPrincipal): Promise<TrendsReport> {
    return this.analytics.trends(q.start, q.end, q.group_by, scopeToTeam(user, q.team_id), q.limit, q.idle, q.labels);
  }

  @Get('forecast')
  @ApiOperation({
    summary:
      "Per team: the month's spend to date, its weekday-aware month-end forecast with an 80 % interval, and status",
  })
  @ApiOkResponse({ type: ForecastReport })
  @ApiForbiddenResponse({ description: "A member named another team's team_id", type: ErrorResponse })
  forecast(@Query() q: ForecastQuery, @CurrentUser() user: UserPrincipal): Promise<ForecastReport> {
    return this.forecasts.forMonth(q.month, scopeToTeam(user, q.team_id));
  }

  @Get('budgets')
  @ApiOperation({ summary: 'Per team: monthly budget, spend, % used, month-end forecast and status' })
  @ApiOkResponse({ type: BudgetReport })
  budgetsOf(@Query() q: BudgetsQuery, @CurrentUser() user: UserPrincipal): Promise<BudgetReport> {
    return this.budgets.forMonth(q.month ?? new Date().toISOString().slice(0, 7), scopeToTeam(user));
  }
}
