import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { jobDayCost, sameCell } from '../allocation/allocation-reads';
import { AllocationService } from '../allocation/allocation.service';
import { addDays, daysInRange } from '../common/calendar';
import { CostDimension, CostFilters } from './dto/cost-query.dto';
import type { CostReport, CostRow, CostTotals, ModelCost, TeamCost } from './dto/cost.response';
import type { TrendDimension, TrendRow, TrendsReport, TrendTotals } from './dto/trends.dto';
import type { CostCoverage } from './dto/coverage.response';
import { roundCents, splitRounded } from './money';
import { snapshotDays } from './snapshot-days';

/** Scope of a read: the caller's filters with the team already decided by scopeToTeam. */
export type ScopedFilters = CostFilters & { team_id?: string };

interface Source {
  /** The rows `r` to sum (with what they join). */
  from: string;
  where: string[];
  params: unknown[];
  /** Per-row expressions of the cost, the unpriced GPU-hours, the jobs with usage, and the jobs starting. */
  columns: { cost: string; unpricedGpuHours: string; jobCount: string; jobsStarted: string };
}

/** The day tables carry the sums; a job-day row is one job and costs its share at its cell's rate. */
const SUMMED_COLUMNS = {
  cost: 'r.cost_usd',
  unpricedGpuHours: 'r.unpriced_gpu_hours',
  jobCount: 'r.job_count',
  jobsStarted: 'r.jobs_started',
};
const JOB_DAYS = `job_day_allocations r JOIN allocation_cells c ON ${sameCell('c', 'r')}`;
const JOB_DAY_COLUMNS = {
  cost: jobDayCost('r.gpu_hours', 'c.rate'),
  unpricedGpuHours: 'CASE WHEN c.snapshot_cost_usd IS NULL THEN r.gpu_hours ELSE 0 END',
  jobCount: '1',
  jobsStarted: 'r.first_day::int',
};

/**
 * Each dimension's grouping key (computed from a source row `r`, named `name` in the grouped
 * rows `g`) and what it shows in the answer. Time dimensions also bound the job counts.
 */
const DIMENSION_SQL: Record<CostDimension, { key: string; name: string; output: string[]; time?: true }> = {
  team: { key: 'r.team_id', name: 'team_id', output: [`g.team_id::text AS team_id`, `t.name AS team_name`] },
  model: { key: 'r.model_name', name: 'model_name', output: ['g.model_name'] },
  provider: { key: 'r.provider', name: 'provider', output: ['g.provider'] },
  gpu_type: { key: 'r.gpu_type', name: 'gpu_type', output: ['g.gpu_type'] },
  day: { key: 'r.day', name: 'day', output: [`to_char(g.day, 'YYYY-MM-DD') AS day`], time: true },
  week: {
    key: `date_trunc('week', r.day)::date`,
    name: 'week',
    output: [`to_char(g.week, 'YYYY-MM-DD') AS week`],
    time: true,
  },
  month: {
    key: `date_trunc('month', r.day)::date`,
    name: 'month',
    output: [`to_char(g.month, 'YYYY-MM') AS month`],
    time: true,
  },
};

/** The measure columns of a grouped row: what is left are the group's own fields. */
const MEASURES = new Set(['cost', 'cost_usd', 'gpu_hours', 'unpriced_gpu_hours', 'job_count']);

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
    await this.allocation.ensureFresh();
    const rows = await this.grouped(start, end, ['team'], { start, end, team_id: teamId });
    return withCostFields(rows, start, end).map(({ row, ...cost }) => ({
      team_name: String(row.team_name),
      team_id: String(row.team_id),
      ...cost,
    }));
  }

  async costByModel(start: string, end: string, teamId: string | undefined): Promise<ModelCost[]> {
    await this.allocation.ensureFresh();
    const rows = await this.grouped(start, end, ['model'], { start, end, team_id: teamId });
    return withCostFields(rows, start, end).map(({ row, ...cost }) => ({
      model_name: String(row.model_name),
      ...cost,
    }));
  }

  /** The days with known costs; snapshots are the providers' bills, so they are the same for every caller. */
  async coverage(): Promise<CostCoverage> {
    await this.allocation.ensureFresh();
    const days = await snapshotDays(this.dataSource);
    return { first_snapshot_day: days.first, last_snapshot_day: days.last };
  }

  async cost(filters: ScopedFilters, groupBy: CostDimension[]): Promise<CostReport> {
    await this.allocation.ensureFresh();
    // Two independent reads of the same fresh state: on two pool connections at once.
    const [rows, totals] = await Promise.all([
      this.grouped(filters.start, filters.end, groupBy, filters, { exactCost: false }),
      this.totals(filters),
    ]);
    return {
      start_date: filters.start,
      end_date: filters.end,
      group_by: groupBy,
      rows,
      totals,
    };
  }

  /**
   * Allocated cost per group over start … end beside the same number of days just before, largest
   * change first (either way). A group with cost in one window only is compared with 0.
   */
  async trends(
    start: string,
    end: string,
    groupBy: TrendDimension,
    teamId: string | undefined,
    limit: number,
  ): Promise<TrendsReport> {
    await this.allocation.ensureFresh();
    const previousStart = addDays(start, -daysInRange(start, end));
    const previousEnd = addDays(start, -1);
    const current: ScopedFilters = { start, end, team_id: teamId };
    const previous: ScopedFilters = { start: previousStart, end: previousEnd, team_id: teamId };
    const [rows, previousRows, [total], [previousTotal]] = await Promise.all([
      this.grouped(start, end, [groupBy], current),
      this.grouped(previousStart, previousEnd, [groupBy], previous),
      this.grouped(start, end, [], current),
      this.grouped(previousStart, previousEnd, [], previous),
    ]);
    const key = DIMENSION_SQL[groupBy].name;
    const groups = new Map<string, { fields: CostRow; cost: string; previous: string }>();
    for (const [list, side] of [
      [rows, 'cost'],
      [previousRows, 'previous'],
    ] as const) {
      for (const row of list) {
        const fields = Object.fromEntries(Object.entries(row).filter(([column]) => !MEASURES.has(column)));
        const group = groups.get(String(row[key])) ?? { fields, cost: '0', previous: '0' };
        group[side] = String(row.cost);
        groups.set(String(row[key]), group);
      }
    }
    const trendRows: TrendRow[] = [...groups.entries()]
      .map(([name, g]) => ({ name, row: { ...g.fields, ...comparison(g.cost, g.previous) } }))
      .sort((a, b) => Math.abs(b.row.change_usd) - Math.abs(a.row.change_usd) || (a.name < b.name ? -1 : 1))
      .slice(0, limit)
      .map((r) => r.row);
    return {
      start,
      end,
      previous_start: previousStart,
      previous_end: previousEnd,
      rows: trendRows,
      totals: comparison(exactCost(total), exactCost(previousTotal)),
    };
  }

  /**
   * Allocated cost, GPU-hours and distinct jobs per group, cost descending within time order.
   * The caller has brought the allocation up to date (ensureFresh) first. Rows carry the exact
   * sum as text in `cost` too, unless `exactCost` is false (the rows of a report do not show it).
   */
  private async grouped(
    start: string,
    end: string,
    dims: CostDimension[],
    filters: ScopedFilters,
    { exactCost = true }: { exactCost?: boolean } = {},
  ): Promise<CostRow[]> {
    const source = this.sourceFor(dims, filters);
    const keys = dims.map((d) => DIMENSION_SQL[d]);
    // A job's days are contiguous: the distinct jobs of a bucket are those active on its first
    // day in range plus those starting on a later day of it.
    const firstDay = `greatest($1::date${keys
      .filter((k) => k.time)
      .map((k) => `, ${k.key}`)
      .join('')})`;
    const { cost, unpricedGpuHours, jobCount, jobsStarted } = source.columns;
    // Grouped by keys first and named after: joining the team names to every source row made
    // the planner sort them all by name (2.5x slower over a year of job-days).
    const sql = `
      WITH g AS (
        SELECT ${[
          ...keys.map((k) => `${k.key} AS ${k.name}`),
          `sum(${cost}) AS cost`,
          `sum(r.gpu_hours) AS gpu_hours`,
          `sum(${unpricedGpuHours}) AS unpriced_gpu_hours`,
          `sum(CASE WHEN r.day = ${firstDay} THEN ${jobCount} ELSE ${jobsStarted} END) AS job_count`,
        ].join(', ')}
        FROM ${source.from}
        WHERE ${source.where.join(' AND ')}
        ${keys.length ? `GROUP BY ${keys.map((k) => k.key).join(', ')}` : ''}
      )
      SELECT ${[
        ...keys.flatMap((k) => k.output),
        `round(g.cost, 2)::float8 AS cost_usd`,
        ...(exactCost ? [`g.cost::text AS cost`] : []),
        `round(g.gpu_hours, 4)::float8 AS gpu_hours`,
        `round(g.unpriced_gpu_hours, 4)::float8 AS unpriced_gpu_hours`,
        `g.job_count::int AS job_count`,
      ].join(', ')}
      FROM g
      ${dims.includes('team') ? 'JOIN teams t ON t.id = g.team_id' : ''}
      ORDER BY ${[...keys.filter((k) => k.time).map((k) => `g.${k.name}`), 'g.cost DESC', ...keys.map((k) => `g.${k.name}`)].join(', ')}`;
    return this.dataSource.query<CostRow[]>(sql, [start, end, ...source.params]);
  }

  /**
   * The smallest table that can answer: day × team, day × model, day × team × model, or the
   * job-day rows (any dimension, any filter).
   */
  private sourceFor(dims: CostDimension[], f: ScopedFilters): Source {
    const where = [`r.day BETWEEN $1::date AND $2::date`];
    const params: unknown[] = [];
    const add = (column: string, value: unknown) => {
      params.push(value);
      where.push(`r.${column} = $${params.length + 2}`);
    };
    const within = (...allowed: CostDimension[]) => dims.every((d) => allowed.includes(d) || !!DIMENSION_SQL[d].time);
    const byModel = f.model_name !== undefined;
    const otherFilters = [f.status, f.provider, f.gpu_type].some((v) => v !== undefined);
    if (!otherFilters && !byModel && within('team')) {
      if (f.team_id) add('team_id', f.team_id);
      return { from: 'allocation_team_days r', where, params, columns: SUMMED_COLUMNS };
    }
    if (!otherFilters && !byModel && !f.team_id && within('model')) {
      return { from: 'allocation_model_days r', where, params, columns: SUMMED_COLUMNS };
    }
    if (f.team_id) add('team_id', f.team_id);
    if (f.model_name) add('model_name', f.model_name);
    if (!otherFilters && within('team', 'model'))
      return { from: 'allocation_team_model_days r', where, params, columns: SUMMED_COLUMNS };
    if (f.status) add('status', f.status);
    if (f.provider) add('provider', f.provider);
    if (f.gpu_type) add('gpu_type', f.gpu_type);
    return { from: JOB_DAYS, where, params, columns: JOB_DAY_COLUMNS };
  }

  /**
   * Unallocated cost of the range as exact text. Idle cost belongs to no team, model or status:
   * with such a filter it is 0 and the total is the allocated cost; provider and gpu_type apply.
   */
  private async idleCost(f: ScopedFilters): Promise<string> {
    if ([f.team_id, f.status, f.model_name].some((v) => v !== undefined)) return '0';
    const params: unknown[] = [f.start, f.end];
    const where = [`day BETWEEN $1::date AND $2::date`];
    if (f.provider) where.push(`provider = $${params.push(f.provider)}`);
    if (f.gpu_type) where.push(`gpu_type = $${params.push(f.gpu_type)}`);
    const [row] = await this.dataSource.query<{ idle: string }[]>(
      `SELECT coalesce(sum(unallocated_usd), 0)::text AS idle FROM allocation_cells WHERE ${where.join(' AND ')}`,
      params,
    );
    return row.idle;
  }

  private async totals(f: ScopedFilters): Promise<CostTotals> {
    const [[allocated], unallocated] = await Promise.all([this.grouped(f.start, f.end, [], f), this.idleCost(f)]);
    const money = splitRounded(exactCost(allocated), unallocated);
    return {
      allocated_usd: money.allocated,
      unallocated_usd: money.unallocated,
      total_usd: money.total,
      gpu_hours: Number(allocated?.gpu_hours ?? 0),
      unpriced_gpu_hours: Number(allocated?.unpriced_gpu_hours ?? 0),
    };
  }
}

/** The exact sum of a grouped row (a row without groups sums nothing to NULL). */
const exactCost = (row: CostRow | undefined) => (row?.cost ? String(row.cost) : '0');

/** Two exact sums compared in cents; the change in percent of the previous one, none when that is 0. */
function comparison(cost: string, previous: string): TrendTotals {
  const costUsd = roundCents(cost);
  const previousUsd = roundCents(previous);
  const changeCents = Math.round(costUsd * 100) - Math.round(previousUsd * 100);
  return {
    cost_usd: costUsd,
    previous_cost_usd: previousUsd,
    change_usd: changeCents / 100,
    change_pct: previousUsd === 0 ? null : Math.round((changeCents / Math.round(previousUsd * 100)) * 10_000) / 100,
  };
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
