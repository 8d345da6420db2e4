import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import { AllocationService, ArchivedWindow } from '../allocation/allocation.service';
import { forEachInPieces, JsonRows } from '../common/answers-in-pieces';
import { addDays, daysInRange } from '../common/calendar';
import { badRequest } from '../common/errors/domain-error';
import type { IdleMode } from '../common/idle.query';
import type { LabelFilter } from '../common/label-filters';
import { NO_LABEL } from '../common/labels';
import {
  DimensionSql,
  dimensionName,
  dimensionSql,
  jsonRowSql,
  literalColumn,
  numberColumn,
  OutputColumn,
  OWNED_IDLE,
  ScopedFilters,
  selectList,
  sourceFor,
  textColumn,
} from './cost-sources';
import type { CostDimension } from './dto/cost-query.dto';
import type { CostReport, CostRow, CostTotals, ModelCost, TeamCost, UtilizationTotals } from './dto/cost.response';
import type { TrendDimension, TrendRow, TrendsReport, TrendTotals } from './dto/trends.dto';
import { roundCents, roundedParts, splitRounded } from '../common/money';
import type { CostCoverage } from './dto/coverage.response';
import { snapshotDays } from './snapshot-days';
import {
  archivedEnd,
  archivedGroups,
  archivedPart,
  liveStart,
  refuseArchived,
  refuseArchivedDetail,
} from './archived-reads';

export type { ScopedFilters };

/** A cost report whose rows are `Rows`: values, or the rows' JSON text. */
export type CostReportWith<Rows> = Omit<CostReport, 'rows'> & { rows: Rows };

/**
 * The rows' amounts (rounded numerics), made numbers here rather than cast to float8 in SQL:
 * PostgreSQL casts numeric to float8 through text, which took a third of the query time of a
 * 2,000-row report. The same digits parsed by Number() are the same double.
 */
const AMOUNTS = [
  'allocated_usd',
  'idle_usd',
  'cost_usd',
  'gpu_hours',
  'unpriced_gpu_hours',
  'used_cost_usd',
  'waste_usd',
  'unmeasured_cost_usd',
  'efficiency',
] as const;

/**
 * The measure columns of a grouped row (its amounts, its job count and the exact sums as text):
 * what is left are the group's own fields.
 */
const MEASURES = new Set<string>([...AMOUNTS, 'job_count', 'cost', 'allocated', 'idle', 'measured', 'used']);

function withNumericAmounts(row: CostRow): void {
  const fields = row as unknown as Record<string, unknown>;
  for (const name of AMOUNTS) {
    const value = fields[name];
    if (typeof value === 'string') fields[name] = Number(value);
  }
}

/** The label dimensions' fields: `label_<i>` in SQL, `label:<key>` in the answer. */
const shownAs = (keys: DimensionSql[]) =>
  new Map(keys.flatMap((k) => (k.shownAs ? [[k.name, k.shownAs] as const] : [])));

/**
 * The rows as answered: amounts made numbers, and label dimensions read as `label_<i>` named
 * `label:<key>` (field order kept). A piece of rows at a time: 48,000 rows took 30 ms at once.
 */
async function answeredRows(rows: CostRow[], keys: DimensionSql[]): Promise<CostRow[]> {
  const names = shownAs(keys);
  await forEachInPieces(rows, (row, i) => {
    withNumericAmounts(row);
    if (names.size) {
      rows[i] = Object.fromEntries<unknown>(
        Object.entries(row).map(([field, value]) => [names.get(field) ?? field, value]),
      ) as CostRow;
    }
  });
  return rows;
}

/** What a read does with idle cost: undefined answers as before capacity existed (separate, no idle fields). */
interface ReadOptions {
  /** Rows carry their exact sums as text (`cost`, and `allocated` and `idle` with an idle mode). */
  exactCost?: boolean;
  idle?: IdleMode;
  /** The archived months the window reaches: their days are read from their cells. */
  archive?: ArchivedWindow | null;
  /** The parameter to name when the answer would pass REPORT_MAX_ROWS (default `group_by`). */
  rowsField?: string;
}

/** idle=owner charges the owner team, so the rows must be teams (or split a team further). */
function checkIdleApplies(idle: IdleMode | undefined, dims: CostDimension[]): void {
  if (idle === 'owner' && !dims.includes('team')) {
    throw badRequest(
      'idle=owner charges idle cost to the team that owns the capacity: it applies to groupings by team only',
      'idle',
    );
  }
}

/**
 * The analytics reads. They refresh marked allocation cells first, then read the smallest
 * maintained table that holds the asked-for dimensions and filters.
 */
@Injectable()
export class AnalyticsService {
  private readonly maxRows: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
    config: ConfigService<Env, true>,
  ) {
    this.maxRows = config.get('REPORT_MAX_ROWS', { infer: true });
  }

  async costByTeam(
    start: string,
    end: string,
    teamId: string | undefined,
    idle?: IdleMode,
    labels?: LabelFilter[],
  ): Promise<TeamCost[]> {
    checkIdleApplies(idle, ['team']);
    refuseArchived(await this.archivedAndFresh(start, end), 'start', 'cost by team');
    const rows = await this.grouped(
      start,
      end,
      ['team'],
      { start, end, team_id: teamId, labels },
      { idle, rowsField: 'start' },
    );
    return withCostFields(rows, start, end, idle).map(({ row, ...cost }) => ({
      team_name: String(row.team_name),
      team_id: String(row.team_id),
      ...cost,
    }));
  }

  async costByModel(
    start: string,
    end: string,
    teamId: string | undefined,
    idle?: IdleMode,
    labels?: LabelFilter[],
  ): Promise<ModelCost[]> {
    checkIdleApplies(idle, ['model']);
    refuseArchived(await this.archivedAndFresh(start, end), 'start', 'cost by model');
    const rows = await this.grouped(
      start,
      end,
      ['model'],
      { start, end, team_id: teamId, labels },
      { idle, rowsField: 'start' },
    );
    return withCostFields(rows, start, end, idle).map(({ row, ...cost }) => ({
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

  /**
   * The report of GET /analytics/cost. Its rows as values (for CSV), or as the JSON text of each
   * row (`rowsAs: 'json'`), which the database writes in the same statement.
   */
  async cost(filters: ScopedFilters, groupBy: CostDimension[], idle?: IdleMode): Promise<CostReport>;
  async cost(
    filters: ScopedFilters,
    groupBy: CostDimension[],
    idle: IdleMode | undefined,
    rowsAs: 'json',
  ): Promise<CostReportWith<JsonRows>>;
  async cost(
    filters: ScopedFilters,
    groupBy: CostDimension[],
    idle?: IdleMode,
    rowsAs: 'values' | 'json' = 'values',
  ): Promise<CostReportWith<CostRow[] | JsonRows>> {
    checkIdleApplies(idle, groupBy);
    const archive = await this.archivedAndFresh(filters.start, filters.end);
    if (archive) refuseArchivedDetail(archive, filters, idle);
    const options: ReadOptions = { exactCost: false, idle, archive };
    // Two independent reads of the same fresh state: on two pool connections at once.
    const [rows, totals] = await Promise.all([
      rowsAs === 'json'
        ? this.groupedAsJson(filters.start, filters.end, groupBy, filters, options)
        : this.grouped(filters.start, filters.end, groupBy, filters, options),
      this.totals(filters, idle, archive),
    ]);
    return {
      start_date: filters.start,
      end_date: filters.end,
      group_by: groupBy,
      rows,
      totals,
      ...(archive ? { archived: archivedPart(archive) } : {}),
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
    idle?: IdleMode,
    labels?: LabelFilter[],
  ): Promise<TrendsReport> {
    checkIdleApplies(idle, [groupBy]);
    const previousStart = addDays(start, -daysInRange(start, end));
    // The window just before counts too: archived days would compare as days without spend.
    refuseArchived(
      await this.archivedAndFresh(previousStart, end),
      'start',
      `cost by ${groupBy}, which trends compare from ${previousStart} (the days before ${start})`,
    );
    const previousEnd = addDays(start, -1);
    const current: ScopedFilters = { start, end, team_id: teamId, labels };
    const previous: ScopedFilters = { start: previousStart, end: previousEnd, team_id: teamId, labels };
    // With idle=owner the totals are the teams' (the owner's idle included), like the rows.
    const [rows, previousRows, [total], [previousTotal]] = await Promise.all([
      this.grouped(start, end, [groupBy], current, { idle }),
      this.grouped(previousStart, previousEnd, [groupBy], previous, { idle }),
      this.grouped(start, end, [], current, { idle }),
      this.grouped(previousStart, previousEnd, [], previous, { idle }),
    ]);
    const key = dimensionName(groupBy);
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
   * The archived months of a window, read while the allocation is brought up to date: two
   * independent round trips, on two pool connections at once (every report asks both).
   */
  private async archivedAndFresh(start: string, end: string): Promise<ArchivedWindow | null> {
    const [archive] = await Promise.all([this.allocation.archivedWithin(start, end), this.allocation.ensureFresh()]);
    return archive;
  }

  /**
   * Allocated cost, GPU-hours and distinct jobs per group, cost descending within time order.
   * The caller has brought the allocation up to date (ensureFresh) first. Rows carry the exact
   * sum as text in `cost` too, unless `exactCost` is false (the rows of a report do not show it).
   * With an idle mode, rows also carry the idle charged to them (`idle_usd`, exact in `idle`)
   * and `cost` is allocated + idle; without, the SQL and the answer are what they were before
   * capacity existed.
   */
  private async grouped(
    start: string,
    end: string,
    dims: CostDimension[],
    filters: ScopedFilters,
    options: ReadOptions = {},
  ): Promise<CostRow[]> {
    const { rows, keys } = await this.groupedRows<CostRow>(start, end, dims, filters, options, false);
    return answeredRows(rows, keys);
  }

  /** The rows of `grouped`, each as the JSON text of its answer, written by the database. */
  private async groupedAsJson(
    start: string,
    end: string,
    dims: CostDimension[],
    filters: ScopedFilters,
    options: ReadOptions,
  ): Promise<JsonRows> {
    const { rows } = await this.groupedRows<{ json: string }>(start, end, dims, filters, options, true);
    return new JsonRows(rows.map((row) => row.json));
  }

  private async groupedRows<R>(
    start: string,
    end: string,
    dims: CostDimension[],
    filters: ScopedFilters,
    { exactCost = true, idle, archive, rowsField = 'group_by' }: ReadOptions,
    asJson: boolean,
  ): Promise<{ rows: R[]; keys: DimensionSql[] }> {
    // Archived days are read from their cells below; the maintained tables answer the rest.
    const liveFrom = archive ? liveStart(start, archive) : start;
    const source = sourceFor(dims, { ...filters, start: liveFrom });
    const keys = dimensionSql(dims, source.labelValue);
    // A job's days are contiguous: the distinct jobs of a bucket are those active on its first
    // day in range plus those starting on a later day of it.
    const firstDay = `greatest($1::date${keys
      .filter((k) => k.time)
      .map((k) => `, ${k.key}`)
      .join('')})`;
    const { cost, idleShare, unpricedGpuHours, jobCount, jobsStarted, measured, used } = source.columns;
    const groupBy = keys.length ? `GROUP BY ${keys.map((k) => k.key).join(', ')}` : '';
    const params = [liveFrom, end, ...source.params];
    // Grouped by keys first and named after: joining the team names to every source row made
    // the planner sort them all by name (2.5x slower over a year of job-days).
    let groups = `
        SELECT ${[
          ...keys.map((k) => `${k.key} AS ${k.name}`),
          `sum(${cost}) AS cost`,
          ...(idle ? [`sum(${idle === 'share' ? idleShare : '0'}) AS idle`] : []),
          `sum(r.gpu_hours) AS gpu_hours`,
          `sum(${unpricedGpuHours}) AS unpriced_gpu_hours`,
          `sum(CASE WHEN r.day = ${firstDay} THEN ${jobCount} ELSE ${jobsStarted} END) AS job_count`,
          `sum(${measured}) AS measured`,
          `sum(${used}) AS used`,
        ].join(', ')}
        FROM ${source.from} WHERE ${source.where.join(' AND ')}
        ${groupBy}`;
    if (source.noneByDifference) groups = noneByDifference(groups, keys, !!idle);
    const owned = idle === 'owner' ? ownedIdleWhere(filters, params) : null;
    if (owned) {
      // The owners' idle as groups of their own, summed with the jobs' groups of the same keys.
      // Owned idle has no labels: its label values are all "(none)".
      const names = keys.map((k) => k.name);
      const ownedKeys = dimensionSql(dims, () => 'r.label_value').map((k) => k.key);
      groups = `
        SELECT ${[...names, 'sum(cost) AS cost', 'sum(idle) AS idle', 'sum(gpu_hours) AS gpu_hours']
          .concat(['sum(unpriced_gpu_hours) AS unpriced_gpu_hours', 'sum(job_count) AS job_count'])
          .concat(['sum(measured) AS measured', 'sum(used) AS used'])
          .join(', ')}
        FROM (${groups}
          UNION ALL
          SELECT ${[...ownedKeys.map((k, i) => `${k} AS ${names[i]}`), '0', 'sum(r.unallocated_usd)', '0', '0', '0', '0', '0'].join(', ')}
          FROM ${OWNED_IDLE}
          WHERE ${owned.join(' AND ')}
          ${ownedKeys.length ? `GROUP BY ${ownedKeys.join(', ')}` : ''}) u
        ${names.length ? `GROUP BY ${names.join(', ')}` : ''}`;
    }
    const separateArchived = !!archive && dims.length > 0;
    if (archive) {
      groups = withArchivedGroups(
        groups,
        archivedGroups(keys, filters, idle, { start, end: archivedEnd(end, archive) }, params),
        !separateArchived,
        !!idle,
      );
    }
    const charged = idle ? '(g.cost + g.idle)' : 'g.cost';
    const columns: OutputColumn[] = [
      ...keys.flatMap((k) => k.output),
      ...(idle
        ? [
            numberColumn(`round(g.cost, 2)`, 'allocated_usd'),
            numberColumn(`(round(${charged}, 2) - round(g.cost, 2))`, 'idle_usd'),
          ]
        : []),
      numberColumn(`round(${charged}, 2)`, 'cost_usd'),
      ...(exactCost ? [textColumn(`${charged}::text`, 'cost')] : []),
      ...(exactCost && idle ? [textColumn(`g.cost::text`, 'allocated'), textColumn(`g.idle::text`, 'idle')] : []),
      numberColumn(`round(g.gpu_hours, 4)`, 'gpu_hours'),
      numberColumn(`round(g.unpriced_gpu_hours, 4)`, 'unpriced_gpu_hours'),
      literalColumn(`g.job_count::int`, 'job_count'),
      // Utilization: of the jobs' own (allocated) cost; idle charged to a row is no job's use.
      numberColumn(`round(g.used, 2)`, 'used_cost_usd'),
      numberColumn(`(round(g.measured, 2) - round(g.used, 2))`, 'waste_usd'),
      numberColumn(`(round(g.cost, 2) - round(g.measured, 2))`, 'unmeasured_cost_usd'),
      numberColumn(`CASE WHEN g.measured > 0 THEN round(g.used / g.measured, 4) END`, 'efficiency'),
      ...(exactCost ? [textColumn(`g.measured::text`, 'measured'), textColumn(`g.used::text`, 'used')] : []),
      ...(separateArchived ? [literalColumn('g.archived', 'archived')] : []),
    ];
    const sql = `
      WITH g AS (${groups})
      SELECT ${asJson ? `${jsonRowSql(columns, shownAs(keys))} AS json` : selectList(columns)}
      FROM g
      ${dims.includes('team') ? `${separateArchived ? 'LEFT ' : ''}JOIN teams t ON t.id = g.team_id` : ''}
      ORDER BY ${[
        // Archived days come first: they are the earliest, and a CSV's columns are its first row's.
        ...(separateArchived ? ['g.archived DESC'] : []),
        ...keys.filter((k) => k.time).map((k) => `g.${k.name}`),
        `${charged} DESC`,
        ...keys.map((k) => `g.${k.name}`),
      ].join(', ')}
      LIMIT ${this.maxRows + 1}`;
    const rows = await this.dataSource.query<R[]>(sql, params);
    if (rows.length > this.maxRows) {
      throw badRequest(
        `the answer would have more than ${this.maxRows} rows (REPORT_MAX_ROWS): narrow the range or the filters, or group by ` +
          'fewer keys (the FOCUS export streams line items of any number)',
        rowsField,
      );
    }
    return { rows, keys };
  }

  /**
   * Idle cost left separate over the range, as exact text. It belongs to no team, model or
   * status: with such a filter it is 0; provider and gpu_type apply. `share` leaves only the
   * idle of cells nobody used; `owner` only the idle of cells whose capacity has no owner.
   */
  private async idleCost(f: ScopedFilters, idle?: IdleMode): Promise<string> {
    if ([f.team_id, f.status, f.model_name].some((v) => v !== undefined) || f.labels?.length) return '0';
    const params: unknown[] = [f.start, f.end];
    const where = [`day BETWEEN $1::date AND $2::date`];
    if (f.provider) where.push(`provider = $${params.push(f.provider)}`);
    if (f.gpu_type) where.push(`gpu_type = $${params.push(f.gpu_type)}`);
    if (idle === 'share') where.push(`job_count = 0`);
    if (idle === 'owner') where.push(`owner_team_id IS NULL`);
    const [row] = await this.dataSource.query<{ idle: string }[]>(
      `SELECT coalesce(sum(unallocated_usd), 0)::text AS idle FROM allocation_cells WHERE ${where.join(' AND ')}`,
      params,
    );
    return row.idle;
  }

  private async totals(f: ScopedFilters, idle?: IdleMode, archive?: ArchivedWindow | null): Promise<CostTotals> {
    const [[groups], unallocated] = await Promise.all([
      this.grouped(f.start, f.end, [], f, { idle, archive }),
      this.idleCost(f, idle),
    ]);
    const hours = {
      gpu_hours: Number(groups?.gpu_hours ?? 0),
      unpriced_gpu_hours: Number(groups?.unpriced_gpu_hours ?? 0),
    };
    if (!idle) {
      const money = splitRounded(exactSum(groups, 'cost'), unallocated);
      return {
        allocated_usd: money.allocated,
        unallocated_usd: money.unallocated,
        total_usd: money.total,
        ...hours,
        ...utilization(groups, money.allocated),
      };
    }
    const [allocated, charged, separate] = roundedParts(
      exactSum(groups, 'allocated'),
      exactSum(groups, 'idle'),
      unallocated,
    );
    return {
      allocated_usd: allocated,
      idle_usd: charged,
      cost_usd: cents(allocated + charged),
      unallocated_usd: separate,
      total_usd: cents(allocated + charged + separate),
      ...hours,
      ...utilization(groups, allocated),
    };
  }
}

/**
 * Where the owners' idle counts under `idle=owner`, appending its parameters: the range, the
 * team, provider and GPU type filters. Null when a model or status filter leaves no idle (it has
 * neither).
 */
function ownedIdleWhere(f: ScopedFilters, params: unknown[]): string[] | null {
  if (f.model_name !== undefined || f.status !== undefined || f.labels?.length) return null;
  const where = [`r.day BETWEEN $1::date AND $2::date`];
  if (f.team_id) where.push(`r.team_id = $${params.push(f.team_id)}`);
  if (f.provider) where.push(`r.provider = $${params.push(f.provider)}`);
  if (f.gpu_type) where.push(`r.gpu_type = $${params.push(f.gpu_type)}`);
  return where;
}

/**
 * The live groups beside the archived days' (archivedGroups, same columns by position): as rows
 * of their own, marked `archived`, or summed into one row (totals).
 */
function withArchivedGroups(live: string, archived: string, merge: boolean, idle: boolean): string {
  const both = `SELECT *, false AS archived FROM (${live}) live UNION ALL ${archived}`;
  if (!merge) return both;
  const measures = [
    'cost',
    ...(idle ? ['idle'] : []),
    'gpu_hours',
    'unpriced_gpu_hours',
    'job_count',
    'measured',
    'used',
  ];
  return `SELECT ${measures.map((m) => `sum(${m}) AS ${m}`).join(', ')} FROM (${both}) u`;
}

/**
 * The `(none)` group of a label read from the label day sums: the source gave it the whole of the
 * team rows, and each other group of the same keys is taken off it. A `(none)` group left with no
 * job (every job carries the label) is no group. Columns keep their order (the owners' idle is
 * appended to these groups by position).
 */
function noneByDifference(groups: string, keys: DimensionSql[], idle: boolean): string {
  const label = keys.find((k) => k.name.startsWith('label_'))!.name;
  const others = keys.filter((k) => k.name !== label).map((k) => k.name);
  const within = others.length ? `PARTITION BY ${others.join(', ')}` : '';
  const measures = ['cost', ...(idle ? ['idle'] : []), 'gpu_hours', 'unpriced_gpu_hours', 'job_count'].concat([
    'measured',
    'used',
  ]);
  const none = `${label} = '${NO_LABEL}'`;
  return `
    SELECT * FROM (
      SELECT ${keys.map((k) => k.name).join(', ')}, ${measures
        .map(
          (m) =>
            `${m} - CASE WHEN ${none} THEN coalesce(sum(${m}) FILTER (WHERE NOT ${none}) OVER (${within}), 0) ELSE 0 END AS ${m}`,
        )
        .join(', ')}
      FROM (${groups}) labelled
    ) differences
    WHERE NOT (${none}) OR job_count <> 0`;
}

/** An exact sum of a grouped row (a row without groups sums nothing to NULL). */
const exactSum = (row: CostRow | undefined, field: 'cost' | 'allocated' | 'idle' | 'measured' | 'used') =>
  row?.[field] ? String(row[field]) : '0';

/**
 * The utilization fields of totals, rounded as rows round them: used and measured cost to
 * cents, waste and unmeasured as differences, so that used + waste + unmeasured = allocated.
 */
function utilization(row: CostRow | undefined, allocated: number): UtilizationTotals {
  const used = roundCents(exactSum(row, 'used'));
  const measured = roundCents(exactSum(row, 'measured'));
  const exactMeasured = Number(exactSum(row, 'measured'));
  return {
    used_cost_usd: used,
    waste_usd: cents(measured - used),
    unmeasured_cost_usd: cents(allocated - measured),
    efficiency:
      exactMeasured > 0 ? Math.round((Number(exactSum(row, 'used')) / exactMeasured) * 10_000) / 10_000 : null,
  };
}
const exactCost = (row: CostRow | undefined) => exactSum(row, 'cost');

/** A sum of amounts already in cents, without the float's last-digit noise. */
const cents = (usd: number) => Math.round(usd * 100) / 100;

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

/**
 * The cost fields by-team and by-model share: money, counts, each row's share of the whole, the
 * range; with an idle mode, the allocated and idle parts too (total_cost_usd is their sum).
 */
function withCostFields(rows: CostRow[], start: string, end: string, idle?: IdleMode) {
  const total = rows.reduce((sum, r) => sum + Number(r.cost), 0);
  return rows.map((row) => ({
    row,
    total_cost_usd: Number(row.cost_usd),
    ...(idle
      ? { allocated_usd: Number(row.allocated_usd), idle_usd: Number(row.idle_usd), cost_usd: Number(row.cost_usd) }
      : {}),
    job_count: Number(row.job_count),
    gpu_hours: Number(row.gpu_hours),
    share_pct: sharePct(Number(row.cost), total),
    used_cost_usd: Number(row.used_cost_usd),
    waste_usd: Number(row.waste_usd),
    unmeasured_cost_usd: Number(row.unmeasured_cost_usd),
    efficiency: row.efficiency === null ? null : Number(row.efficiency),
    start_date: start,
    end_date: end,
  }));
}
