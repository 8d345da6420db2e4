import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import { Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import { DateRangeQuery } from '../common/date-range.query';
import { AnalyticsService, CostReport, ModelCost, TeamCost } from './analytics.service';
import { BudgetReport, BudgetsService } from './budgets.service';
import { BudgetsQuery, CostQuery, FocusExportQuery } from './dto/cost-query.dto';
import { FocusExportService } from './focus-export.service';

/** Members see their own team only: every read is scoped by scopeToTeam before the service. */
@ApiTags('analytics')
@Authenticated()
@Controller('analytics')
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly budgets: BudgetsService,
    private readonly focus: FocusExportService,
  ) {}

  @Get('cost/by-model')
  @ApiOperation({ summary: 'Allocated cost per model over inclusive UTC dates, cost descending' })
  byModel(@Query() q: DateRangeQuery, @CurrentUser() user: UserPrincipal): Promise<ModelCost[]> {
    return this.analytics.costByModel(q.start, q.end, scopeToTeam(user));
  }

  @Get('cost/by-team')
  @ApiOperation({ summary: 'Allocated cost per team over inclusive UTC dates, cost descending' })
  byTeam(@Query() q: DateRangeQuery, @CurrentUser() user: UserPrincipal): Promise<TeamCost[]> {
    return this.analytics.costByTeam(q.start, q.end, scopeToTeam(user));
  }

  @Get('cost/export')
  @ApiOperation({ summary: 'Allocated cost per job-day as FinOps FOCUS columns (streamed CSV)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'FOCUS CSV', content: { 'text/csv': {} } })
  async export(@Query() q: FocusExportQuery, @CurrentUser() user: UserPrincipal, @Res() res: Response): Promise<void> {
    const teamId = scopeToTeam(user);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="heliox-focus-${q.start}-${q.end}.csv"`);
    await this.focus.write(res, q.start, q.end, teamId);
  }

  @Get('cost')
  @ApiOperation({
    summary: 'Cost grouped by up to three dimensions, with totals; CSV with format=csv or Accept: text/csv',
  })
  @ApiProduces('application/json', 'text/csv')
  async cost(
    @Query() q: CostQuery,
    @CurrentUser() user: UserPrincipal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CostReport | string> {
    const { group_by, format, ...filters } = q;
    const report = await this.analytics.cost(
      { ...filters, team_id: scopeToTeam(user, q.team_id) },
      group_by?.length ? group_by : ['day'],
    );
    const wantsCsv = format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(accept ?? ''));
    if (!wantsCsv) return report;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="heliox-cost-${q.start}-${q.end}.csv"`);
    return stringify(report.rows, {
      header: true,
      columns: report.rows.length ? Object.keys(report.rows[0]) : ['cost_usd'],
    });
  }

  @Get('budgets')
  @ApiOperation({ summary: 'Per team: monthly budget, spend, % used, run-rate forecast and status' })
  budgetsOf(@Query() q: BudgetsQuery, @CurrentUser() user: UserPrincipal): Promise<BudgetReport> {
    return this.budgets.forMonth(q.month ?? new Date().toISOString().slice(0, 7), scopeToTeam(user));
  }
}
