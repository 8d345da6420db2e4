import {
  jobDayCost,
  jobDayIdleShare,
  jobDayMeasuredCost,
  jobDayUsedCost,
  sameCell,
} from '../allocation/allocation-reads';
import { addDays, daysInRange, monthAfter } from '../common/calendar';
import { labelsContaining, type LabelFilter } from '../common/label-filters';
import { NO_LABEL } from '../common/labels';
import { CostDimension, CostFilters, labelKeyOf } from './dto/cost-query.dto';

/**
 * Where a cost report reads from: the smallest maintained table that holds the asked-for
 * dimensions and filters (docs/allocation.md, "Tables"), and how each dimension is computed
 * from its rows.
 */

/** Scope of a read: the caller's filters with the team already decided by scopeToTeam. */
export type ScopedFilters = CostFilters & { team_id?: string };

export interface Source {
  /** The rows `r` to sum (with what they join). */
  from: string;
  where: string[];
  /** Parameters from $3 on ($1, $2: the range). */
  params: unknown[];
  /**
   * Per-row expressions of the cost, the idle a share of the cells adds to it (`idle=share`), the
   * unpriced GPU-hours, the jobs with usage, the jobs starting, and the cost of jobs that report
   * utilization and its used part.
   */
  columns: {
    cost: string;
    idleShare: string;
    unpricedGpuHours: string;
    jobCount: string;
    jobsStarted: string;
    measured: string;
    used: string;
  };
  /** The expression of a label's value in a row (`(none)` where the row's jobs lack it). */
  labelValue: (key: string) => string;
  /**
   * The `(none)` group's rows are the whole of the team rows: the other groups of the same keys
   * are to be taken off it once grouped (the label day sums).
   */
  noneByDifference?: boolean;
}

/** The day tables carry the sums; a job-day row is one job and costs its share at its cell's rate. */
const SUMMED_COLUMNS = {
  cost: 'r.cost_usd',
  idleShare: 'r.idle_share_usd',
  unpricedGpuHours: 'r.unpriced_gpu_hours',
  jobCount: 'r.job_count',
  jobsStarted: 'r.jobs_started',
  measured: 'r.measured_cost_usd',
  used: 'r.used_cost_usd',
};
const JOB_DAYS = `job_day_allocations r JOIN allocation_cells c ON ${sameCell('c', 'r')}`;
const JOB_DAY_COLUMNS = {
  cost: jobDayCost('r.gpu_hours', 'c.rate'),
  idleShare: jobDayIdleShare('r.gpu_hours', 'c.rate', 'c.share_rate'),
  unpricedGpuHours: 'CASE WHEN c.snapshot_cost_usd IS NULL THEN r.gpu_hours ELSE 0 END',
  jobCount: '1',
  jobsStarted: 'r.first_day::int',
  measured: jobDayMeasuredCost('r.gpu_hours', 'c.rate', 'r.gpu_utilization'),
  used: jobDayUsedCost('r.gpu_hours', 'c.rate', 'r.gpu_utilization'),
};

/** The sums of a day table, by name, in the order of SUMMED_COLUMNS. */
const DAY_SUMS = [
  'gpu_hours',
  'cost_usd',
  'idle_share_usd',
  'unpriced_gpu_hours',
  'job_count',
  'jobs_started',
  'measured_cost_usd',
  'used_cost_usd',
];

/**
 * The idle of cells whose capacity has an owner, as rows `r` of that team (no model, no status,
 * no labels): what `idle=owner` adds to the owner's groups. The cells table holds a row a cell, a
 * few thousand a year.
 */
export const OWNED_IDLE = `(SELECT day, provider, gpu_type, owner_team_id AS team_id, NULL::text AS model_name,
    '${NO_LABEL}'::text AS label_value, unallocated_usd
  FROM allocation_cells WHERE owner_team_id IS NOT NULL AND unallocated_usd <> 0) r`;

/**
 * A column of a report's rows: its SQL over the grouped rows `g` (and the team `t`), its name,
 * and the JSON its value is written as when the database writes the rows' JSON (`jsonRowSql`).
 */
export interface OutputColumn {
  sql: string;
  name: string;
  json: 'string' | 'number' | 'literal';
}

export const textColumn = (sql: string, name: string): OutputColumn => ({ sql, name, json: 'string' });
/** A numeric written as the number JSON.stringify writes for it: no trailing zeros. */
export const numberColumn = (sql: string, name: string): OutputColumn => ({ sql, name, json: 'number' });
/** An integer or a boolean: its text is its JSON. */
export const literalColumn = (sql: string, name: string): OutputColumn => ({ sql, name, json: 'literal' });

/** The columns of a SELECT list. */
export const selectList = (columns: OutputColumn[]) => columns.map((c) => `${c.sql} AS ${c.name}`).join(', ');

/**
 * One SQL expression writing a row's columns as a JSON object, the text JSON.stringify gives for
 * the row as `pg` reads it and the API makes its amounts numbers (to the double: a numeric of
 * more than 15 digits is written with all of them). `shownAs` renames fields (label dimensions).
 * A 2,000-row report spent a third of the API's CPU making 22,000 fields into objects, numbers
 * and back into text (docs/performance.md, "Rows written as JSON by the database").
 */
export function jsonRowSql(columns: OutputColumn[], shownAs: ReadonlyMap<string, string>): string {
  const fields = columns.map((c, i) => {
    const key = `${i === 0 ? '' : ','}${JSON.stringify(shownAs.get(c.name) ?? c.name)}:`;
    return `${sqlText(key)} || coalesce(${JSON_VALUE[c.json](c.sql)}, 'null')`;
  });
  return [`'{'`, ...fields, `'}'`].join(' || ');
}

/** A column's value as JSON text, by its kind (null stays SQL null: jsonRowSql writes `null`). */
const JSON_VALUE: Record<OutputColumn['json'], (sql: string) => string> = {
  string: (sql) => `to_json(${sql})::text`,
  number: (sql) => `trim_scale(${sql})::text`,
  literal: (sql) => `(${sql})::text`,
};

/** A string as an SQL literal. */
const sqlText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** How a grouping key is computed from a row `r`, named `name` in the grouped rows `g`, and shown. */
export interface DimensionSql {
  key: string;
  name: string;
  output: OutputColumn[];
  time?: true;
  /**
   * A label dimension's field in the answer, `label:<key>`: given to the rows once read, since
   * PostgreSQL cuts a column name at 63 bytes and a key may be 63 characters long.
   */
  shownAs?: string;
}

const FIXED_DIMENSIONS: Record<string, DimensionSql> = {
  team: {
    key: 'r.team_id',
    name: 'team_id',
    output: [textColumn('g.team_id::text', 'team_id'), textColumn('t.name', 'team_name')],
  },
  model: { key: 'r.model_name', name: 'model_name', output: [textColumn('g.model_name', 'model_name')] },
  provider: { key: 'r.provider', name: 'provider', output: [textColumn('g.provider', 'provider')] },
  gpu_type: { key: 'r.gpu_type', name: 'gpu_type', output: [textColumn('g.gpu_type', 'gpu_type')] },
  day: { key: 'r.day', name: 'day', output: [textColumn(`to_char(g.day, 'YYYY-MM-DD')`, 'day')], time: true },
  week: {
    key: `date_trunc('week', r.day)::date`,
    name: 'week',
    output: [textColumn(`to_char(g.week, 'YYYY-MM-DD')`, 'week')],
    time: true,
  },
  month: {
    key: `date_trunc('month', r.day)::date`,
    name: 'month',
    output: [textColumn(`to_char(g.month, 'YYYY-MM')`, 'month')],
    time: true,
  },
};

/** Each dimension's SQL over a source. A label dimension `label:<key>` is shown under that very name. */
export function dimensionSql(dims: CostDimension[], labelValue: (key: string) => string): DimensionSql[] {
  return dims.map((d, i) => {
    const key = labelKeyOf(d);
    if (key === null) return FIXED_DIMENSIONS[d];
    return { key: labelValue(key), name: `label_${i}`, output: [textColumn(`g.label_${i}`, `label_${i}`)], shownAs: d };
  });
}

/** The grouped name of a fixed dimension (trends key their rows by it). */
export const dimensionName = (dimension: CostDimension): string => FIXED_DIMENSIONS[dimension].name;

const isTimeDimension = (dimension: CostDimension): boolean => !!FIXED_DIMENSIONS[dimension]?.time;

/**
 * The smallest table that can answer: day × team, day × model, day × team × model, label ×
 * day × team, or the job-day rows (any dimension, any filter).
 */
export function sourceFor(dims: CostDimension[], f: ScopedFilters): Source {
  const where = [`r.day BETWEEN $1::date AND $2::date`];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value) + 2}`;
  const add = (column: string, value: unknown) => where.push(`r.${column} = ${param(value)}`);
  const noLabel = () => `'${NO_LABEL}'`;
  const labelDims = dims.map(labelKeyOf).filter((k): k is string => k !== null);
  const labelFilters = f.labels ?? [];
  if (labelDims.length || labelFilters.length) {
    const byLabel = labelDaysSource(dims, f, labelDims, labelFilters);
    if (byLabel) return byLabel;
  }
  const within = (...allowed: string[]) => dims.every((d) => allowed.includes(d) || isTimeDimension(d));
  const byModel = f.model_name !== undefined;
  const otherFilters = [f.status, f.provider, f.gpu_type].some((v) => v !== undefined) || labelFilters.length > 0;
  const summed = (from: string): Source => ({ from, where, params, columns: SUMMED_COLUMNS, labelValue: noLabel });
  if (!otherFilters && !byModel && within('team')) {
    if (f.team_id) add('team_id', f.team_id);
    return summed('allocation_team_days r');
  }
  if (!otherFilters && !byModel && !f.team_id && within('model')) return summed('allocation_model_days r');
  if (f.team_id) add('team_id', f.team_id);
  if (f.model_name) add('model_name', f.model_name);
  if (!otherFilters && within('team', 'model')) {
    const days = summed('allocation_team_model_days r');
    if (dims.some(isTimeDimension)) return days;
    return teamModelMonthsSource(f, where.slice(1), params) ?? days;
  }
  if (f.status) add('status', f.status);
  if (f.provider) add('provider', f.provider);
  if (f.gpu_type) add('gpu_type', f.gpu_type);
  if (labelFilters.length) where.push(`r.labels @> ${param(labelsContaining(labelFilters))}::jsonb`);
  return {
    from: JOB_DAYS,
    where,
    params,
    columns: JOB_DAY_COLUMNS,
    labelValue: (key) => `coalesce(r.labels ->> ${param(key)}::text, ${noLabel()})`,
  };
}

/**
 * The label day sums answer questions about one label key, with teams and time: grouped by its
 * value (`group_by=label:<key>`), filtered to one value (`label.<key>=<value>`), or both. Jobs
 * without the key are their day × team row less the key's rows (its `(none)` group). Anything
 * else (two keys, a model, provider, GPU type or status) reads job-days: null.
 */
function labelDaysSource(
  dims: CostDimension[],
  f: ScopedFilters,
  labelDims: string[],
  labelFilters: LabelFilter[],
): Source | null {
  const keys = new Set([...labelDims, ...labelFilters.map((l) => l.key)]);
  const others = dims.filter((d) => labelKeyOf(d) === null);
  if (keys.size !== 1 || labelDims.length > 1 || labelFilters.length > 1) return null;
  if (!others.every((d) => d === 'team' || isTimeDimension(d))) return null;
  if ([f.model_name, f.status, f.provider, f.gpu_type].some((v) => v !== undefined)) return null;
  const [key] = keys;
  const params: unknown[] = [key];
  const param = (value: unknown) => `$${params.push(value) + 2}`;
  const inRange = (alias: string) =>
    [`${alias}.day BETWEEN $1::date AND $2::date`].concat(f.team_id ? [`${alias}.team_id = ${param(f.team_id)}`] : []);
  const columns = SUMMED_COLUMNS;
  const labelValue = () => 'r.label_value';
  const sums = (alias: string) => DAY_SUMS.map((c) => `${alias}.${c}`).join(', ');
  if (labelFilters.length) {
    const from = `(SELECT l.day, l.team_id, l.label_value, ${sums('l')}
      FROM allocation_label_days l
      WHERE l.label_key = $3 AND l.label_value = ${param(labelFilters[0].value)} AND ${inRange('l').join(' AND ')}) r`;
    return { from, where: [`r.day BETWEEN $1::date AND $2::date`], params, columns, labelValue };
  }
  // "(none)": the day × team rows, less the key's groups once grouped (noneByDifference in the
  // analytics service): each row is read once.
  const from = `(SELECT l.day, l.team_id, l.label_value, ${sums('l')}
      FROM allocation_label_days l WHERE l.label_key = $3 AND ${inRange('l').join(' AND ')}
    UNION ALL
    SELECT t.day, t.team_id, '${NO_LABEL}', ${sums('t')}
      FROM allocation_team_days t WHERE ${inRange('t').join(' AND ')}) r`;
  return { from, where: [`r.day BETWEEN $1::date AND $2::date`], params, columns, labelValue, noneByDifference: true };
}

/** How a range reads the day × team × model sums: whole months, the days outside them, the days read as days. */
interface TeamModelSpan {
  /** First days of the months read as month rows. */
  months: string[];
  /** Days of those months outside the range, taken off again. */
  outside: [string, string][];
  /** Days of the other months in the range, read as day rows. */
  days: [string, string][];
}

/** The last day of the month that starts on `month` (`YYYY-MM-01`). */
const lastDayOfMonth = (month: string) => addDays(monthAfter(month.slice(0, 7)), -1);

/**
 * A month the range covers more than half of is read as its month row less the days outside the
 * range (at most its first or last few); a month it covers less of, as its days. Thirty days
 * from the 2nd read a month row and two days' rows instead of thirty days' rows.
 */
export function teamModelSpan(start: string, end: string): TeamModelSpan {
  const span: TeamModelSpan = { months: [], outside: [], days: [] };
  for (let month = `${start.slice(0, 7)}-01`; month <= end; month = monthAfter(month.slice(0, 7))) {
    const last = lastDayOfMonth(month);
    const from = start > month ? start : month;
    const to = end < last ? end : last;
    if (2 * daysInRange(from, to) <= daysInRange(month, last)) {
      span.days.push([from, to]);
      continue;
    }
    span.months.push(month);
    if (from > month) span.outside.push([month, addDays(from, -1)]);
    if (to < last) span.outside.push([addDays(to, 1), last]);
  }
  return span;
}

/**
 * Day × team × model sums over the range as rows `r` read from the month table where that is
 * fewer rows (teamModelSpan): month rows, the outside days' rows negated, the remaining days'
 * rows. Month and negated rows have no day, so they count their jobs started; the first day of
 * the range counts the jobs active on it (see the job count in the analytics service), so when
 * it lies in a month row's month a row adds what that day's jobs active exceed its jobs started
 * by. Null when no month is read whole.
 */
function teamModelMonthsSource(f: ScopedFilters, filters: string[], params: unknown[]): Source | null {
  const span = teamModelSpan(f.start, f.end);
  if (!span.months.length) return null;
  const param = (value: unknown) => `$${params.push(value) + 2}`;
  const and = filters.length ? ` AND ${filters.join(' AND ')}` : '';
  const ranges = (list: [string, string][]) =>
    `(${list.map(([from, to]) => `r.day BETWEEN ${param(from)}::date AND ${param(to)}::date`).join(' OR ')})`;
  const sums = (sign: string) => DAY_SUMS.map((c) => `${sign}r.${c} AS ${c}`).join(', ');
  // `r.month <= $2` holds for every listed month: it is there because PostgreSQL must see each
  // parameter ($1 is in the job count), and the planner estimates it from the column's statistics.
  // A lower bound of date_trunc('month', $1) is no constant to the planner: its default
  // selectivity cut the estimate of the month rows fivefold (354 for 2,000 at a million jobs),
  // and the index scan chosen for so few read them 1.8 times slower than a bitmap scan.
  const parts = [
    `SELECT NULL::date AS day, r.team_id, r.model_name, ${sums('')}
     FROM allocation_team_model_months r
     WHERE r.month <= $2::date AND r.month = ANY(${param(span.months)}::date[])${and}`,
  ];
  if (span.outside.length) {
    parts.push(`SELECT NULL::date, r.team_id, r.model_name, ${sums('-')}
      FROM allocation_team_model_days r WHERE ${ranges(span.outside)}${and}`);
  }
  if (span.days.length) {
    parts.push(`SELECT r.day, r.team_id, r.model_name, ${sums('')}
      FROM allocation_team_model_days r WHERE ${ranges(span.days)}${and}`);
  }
  const firstDayRow = span.months.includes(`${f.start.slice(0, 7)}-01`);
  if (firstDayRow) {
    const firstDayOnly = DAY_SUMS.map((c) => (c === 'job_count' ? 'r.job_count - r.jobs_started' : '0')).join(', ');
    parts.push(`SELECT r.day, r.team_id, r.model_name, ${firstDayOnly}
      FROM allocation_team_model_days r WHERE r.day = $1::date${and}`);
  }
  return {
    from: `(${parts.join(' UNION ALL ')}) r`,
    where: ['true'],
    params,
    columns: SUMMED_COLUMNS,
    labelValue: () => `'${NO_LABEL}'`,
  };
}
