import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AllocationService } from './allocation.service';
import { CostDimension, CostFilters } from './dto/cost-query.dto';
import { splitRounded } from './money';

export interface ModelCost { model_name: string; total_cost_usd: number; job_count: number; gpu_hours: number; share_pct: number; start_date: string; end_date: string }
export interface TeamCost { team_name: string; team_id: string; total_cost_usd: number; job_count: number; gpu_hours: number; share_pct: number; start_date: string; end_date: string }
export interface CostTotals { allocated_usd: number; unallocated_usd: number; total_usd: number; gpu_hours: number; unpriced_gpu_hours: number }
export type CostRow = Record<string, string | number>;
export interface CostReport { start_date: string; end_date: string; group_by: CostDimension[]; rows: CostRow[]; totals: CostTotals }

/** Scope of a read: the caller's filters with the team already decided by scopeToTeam. */
export type ScopedFilters = CostFilters & { team_id?: string };

interface Source {
  table: string;
  where: string[];
  params: unknown[];
  /** Per-row expressions of the unpriced GPU-hours, the jobs with usage, and the jobs starting. */
  columns: { unpricedGpuHours: string; jobCount: string; jobsStarted: string };
}

/** The day × team and day × model tables carry the sums; a job-day row is one job. */
const SUMMED_COLUMNS = { unpricedGpuHours: 'r.unpriced_gpu_hours', jobCount: 'r.job_count', jobsStarted: 'r.jobs_started' };
const JOB_DAY_COLUMNS = { unpricedGpuHours: 'CASE WHEN r.unpriced THEN r.gpu_hours ELSE 0 END', jobCount: '1', jobsStarted: 'r.first_day::int' };

/** What each dimension selects (and is named in the rows) and how it groups. */
const DIMENSION_SQL: Record<CostDimension, { select: string[]; group: string[]; time?: string }> = {
  team: { select: [`r.team_id::text AS team_id`, `t.name AS team_name`], group: ['r.team_id', 't.name'] },
  model: { select: [`r.model_name`], group: ['r.model_name'] },
  provider: { select: [`r.provider`], group: ['r.provider'] },
  gpu_type: { select: [`r.gpu_type`], group: ['r.gpu_type'] },
  day: { select: [`to_char(r.day, 'YYYY-MM-DD') AS day`], group: ['r.day'], time: 'r.day' },
  week: { select: [`to_char(date_trunc('week', r.day), 'YYYY-MM-DD') AS week`], group: [`date_trunc('week', r.day)`], time: `date_trunc('week', r.day)::date` },
  month: { select: [`to_char(date_trunc('month', r.day), 'YYYY-MM') AS month`], group: [`date_trunc('month', r.day)`], time: `date_trunc('month', r.day)::date` },
};

/**
 * The analytics reads. They refresh marked allocation cells first, then read the smallest
 * maintained table that holds the asked-for dimensions and filters.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  async costByTeam(start: string, end: string, teamId: string | undefined): Promise<TeamCost[]> {
    const rows = await this.grouped(start, end, ['team'], { start, end, team_id: teamId });
    return withCostFields(rows, start, end).map(({ row, ...cost }) => ({
      team_name: String(row.team_name),
      team_id: String(row.team_id),
      ...cost,
    }));
  }

  async costByModel(start: string, end: string, teamId: string | undefined): Promise<ModelCost[]> {
    const rows = await this.grouped(start, end, ['model'], { start, end, team_id: teamId });
    return withCostFields(rows, start, end).map(({ row, ...cost }) => ({ model_name: String(row.model_name), ...cost }));
  }

  async cost(filters: ScopedFilters, groupBy: CostDimension[]): Promise<CostReport> {
    const rows = await this.grouped(filters.start, filters.end, groupBy, filters);
    const totals = await this.totals(filters);
    return {
      start_date: filters.start,
      end_date: filters.end,
      group_by: groupBy,
      rows: rows.map(({ cost: _exact, ...row }) => row),
      totals,
    };
  }

  /** Allocated cost, GPU-hours and distinct jobs per group, cost descending within time order. */
  private async grouped(start: string, end: string, dims: CostDimension[], filters: ScopedFilters): Promise<CostRow[]> {
    await this.allocation.ensureFresh();
    const source = this.sourceFor(dims, filters);
    const select = dims.flatMap((d) => DIMENSION_SQL[d].select);
    const group = dims.flatMap((d) => DIMENSION_SQL[d].group);
    const times = dims.map((d) => DIMENSION_SQL[d].time).filter((t): t is string => !!t);
    // A job's days are contiguous: the distinct jobs of a bucket are those active on its first
    // day in range plus those starting on a later day of it.
    const firstDay = `greatest($1::date${times.map((t) => `, ${t}`).join('')})`;
    const timeOrder = dims.filter((d) => DIMENSION_SQL[d].time).map((d) => DIMENSION_SQL[d].group[0]);
    const sql = `
      SELECT ${select.concat([
        `round(sum(r.cost_usd), 2)::float8 AS cost_usd`,
        `sum(r.cost_usd)::text AS cost`,
        `round(sum(r.gpu_hours), 4)::float8 AS gpu_hours`,
        `round(sum(${source.columns.unpricedGpuHours}), 4)::float8 AS unpriced_gpu_hours`,
        `sum(CASE WHEN r.day = ${firstDay} THEN ${source.columns.jobCount} ELSE ${source.columns.jobsStarted} END)::int AS job_count`,
      ]).join(', ')}
      FROM ${source.table} r
      ${dims.includes('team') ? 'JOIN teams t ON t.id = r.team_id' : ''}
      WHERE ${source.where.join(' AND ')}
      ${group.length ? `GROUP BY ${group.join(', ')}` : ''}
      ORDER BY ${[...timeOrder, 'sum(r.cost_usd) DESC', ...group].join(', ')}`;
    return this.dataSource.query(sql, [start, end, ...source.params]);
  }

  /**
   * The smallest table that can answer: day × team, day × model, or the job-day rows (any
   * dimension, any filter).
   */
  private sourceFor(dims: CostDimension[], f: ScopedFilters): Source {
    const where = [`r.day BETWEEN $1::date AND $2::date`];
    const params: unknown[] = [];
    const add = (column: string, value: unknown) => {
      params.push(value);
      where.push(`r.${column} = $${params.length + 2}`);
    };
    const timeOnly = (extra: CostDimension) => dims.every((d) => d === extra || !!DIMENSION_SQL[d].time);
    const jobFilters = [f.status, f.provider, f.gpu_type, f.model_name].some((v) => v !== undefined);
    if (!jobFilters && timeOnly('team')) {
      if (f.team_id) add('team_id', f.team_id);
      return { table: 'allocation_team_days', where, params, columns: SUMMED_COLUMNS };
    }
    if (!jobFilters && !f.team_id && timeOnly('model')) return { table: 'allocation_model_days', where, params, columns: SUMMED_COLUMNS };
    if (f.team_id) add('team_id', f.team_id);
    if (f.status) add('status', f.status);
    if (f.provider) add('provider', f.provider);
    if (f.gpu_type) add('gpu_type', f.gpu_type);
    if (f.model_name) add('model_name', f.model_name);
    return { table: 'job_day_allocations', where, params, columns: JOB_DAY_COLUMNS };
  }

  /**
   * Range totals. Idle (unallocated) cost belongs to no team, model or status: with such a
   * filter it is 0 and the total is the allocated cost; provider and gpu_type filters apply.
   */
  private async totals(f: ScopedFilters): Promise<CostTotals> {
    const [allocated] = await this.grouped(f.start, f.end, [], f);
    const jobScoped = [f.team_id, f.status, f.model_name].some((v) => v !== undefined);
    let unallocated = '0';
    if (!jobScoped) {
      const params: unknown[] = [f.start, f.end];
      const where = [`day BETWEEN $1::date AND $2::date`];
      if (f.provider) where.push(`provider = $${params.push(f.provider)}`);
      if (f.gpu_type) where.push(`gpu_type = $${params.push(f.gpu_type)}`);
      const [row] = await this.dataSource.query(`SELECT coalesce(sum(unallocated_usd), 0)::text AS idle FROM allocation_cells WHERE ${where.join(' AND ')}`, params);
      unallocated = row.idle;
    }
    const exactAllocated = allocated?.cost ? String(allocated.cost) : '0';
    const money = splitRounded(exactAllocated, unallocated);
    return {
      allocated_usd: money.allocated,
      unallocated_usd: money.unallocated,
      total_usd: money.total,
      gpu_hours: Number(allocated?.gpu_hours ?? 0),
      unpriced_gpu_hours: Number(allocated?.unpriced_gpu_hours ?? 0),
    };
  }
}

function sharePct(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 100 : 0;
}

/** The cost fields by-team and by-model share: money, counts, each row's share of the whole, the range. */
function withCostFields(rows: CostRow[], start: string, end: string) {
  const total = rows.reduce((sum, r) => sum + Number(r.cost), 0);
  return rows.map((row) => ({
    row,
    total_cost_usd: Number(row.cost_usd),
    job_count: Number(row.job_count),
    gpu_hours: Number(row.gpu_hours),
    share_pct: sharePct(Number(row.cost), total),
    start_date: start,
    end_date: end,
  }));
}
