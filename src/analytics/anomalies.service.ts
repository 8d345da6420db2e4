import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { jobDayCost, sameCell, UNARCHIVED_DAY } from '../allocation/allocation-reads';
import { AllocationService } from '../allocation/allocation.service';
import { addDays, daysInRange } from '../common/calendar';
import { EventLoopTurns } from '../common/event-loop-turns';
import { labelsContaining, type LabelFilter } from '../common/label-filters';
import { refuseArchived } from './archived-reads';
import type { Env } from '../config/env';
import { AnomalySettings, findAnomalies } from './anomaly-math';
import type { AnomalyRow, TopJob } from './dto/anomalies.response';

/** Jobs named per anomaly: enough to say who caused it, few enough to read in a message. */
const TOP_JOBS = 5;
/** Series scored between two turns of the event loop. */
const SERIES_PER_TURN = 10;

/** What the endpoint answers: the kept rows and how many the search found in all. */
export interface AnomalySearch {
  rows: AnomalyRow[];
  total: number;
}

type FoundAnomaly = Omit<AnomalyRow, 'team_name' | 'top_jobs'>;

/** How far a found day is from its baseline, in dollars: what ranks anomalies against each other. */
const changeOf = (a: FoundAnomaly) => Math.abs(a.cost_usd - a.expected_usd);

/** By day, then the largest change first. */
const byDayThenChange = (a: FoundAnomaly, b: FoundAnomaly) =>
  a.day.localeCompare(b.day) || changeOf(b) - changeOf(a) || a.team_id.localeCompare(b.team_id);

/**
 * The priced days of a labelled series from its first day with cost on. Labels come and go (an
 * experiment, a project): before its jobs ran, the label's days are no history of $0, and its
 * first days no rise from $0. A team's series keeps every priced day (its new cell is news).
 */
function fromFirstCost(priced: boolean[], row: SeriesRow): boolean[] {
  const first = row.offsets.find((_, i) => row.costs[i] > 0) ?? priced.length;
  return priced.map((isPriced, offset) => isPriced && offset >= first);
}

/**
 * The `limit` largest changes of `found` (ties: the higher score, then the earlier day, then the
 * order found), in the order found: which rows a capped answer keeps does not depend on how the
 * rows are shown.
 */
function largestChanges(found: FoundAnomaly[], limit: number): FoundAnomaly[] {
  if (found.length <= limit) return found;
  const ranked = found
    .map((row, index) => ({ row, index }))
    .sort(
      (a, b) =>
        changeOf(b.row) - changeOf(a.row) ||
        b.row.score - a.row.score ||
        a.row.day.localeCompare(b.row.day) ||
        a.index - b.index,
    );
  const kept = new Set(ranked.slice(0, limit).map((r) => r.index));
  return found.filter((_, index) => kept.has(index));
}

export interface AnomalyQuery {
  /** First and last UTC day judged (inclusive); the history before `start` is read too. */
  start: string;
  end: string;
  /** Only this team (members are always scoped to theirs); undefined: every team. */
  teamId?: string;
  /**
   * Only the jobs carrying every one of these labels: each series is then the cost of the team's
   * labelled jobs in the cell, judged against its own history. The alerts judge whole teams.
   */
  labels?: LabelFilter[];
}

/**
 * The job-day rows `r` carrying every label of `labels`, as a condition on parameter `$index` and
 * that parameter: nothing without labels, so an unfiltered statement is the same text as before.
 */
function jobDaysLabelled(labels: LabelFilter[], index: number): { sql: string; params: string[] } {
  return labels.length
    ? { sql: ` AND r.labels @> $${index}::jsonb`, params: [labelsContaining(labels)] }
    : { sql: '', params: [] };
}

/** One team's daily costs in one cell, as arrays. */
export interface SeriesRow {
  team_id: string;
  provider: string;
  gpu_type: string;
  /** Days since the history's first day, ascending, and each day's cost. */
  offsets: number[];
  costs: number[];
}

interface PricedRow {
  provider: string;
  gpu_type: string;
  offsets: number[];
}

interface TopJobRow extends TopJob {
  ord: string;
}

/** Where the judged series come from: each team's priced daily cost per cell over [start, end]. */
export type SeriesSource = (start: string, end: string, teamId: string | undefined) => Promise<SeriesRow[]>;

/**
 * Each team's cost per priced cell and day over the days `onDays(alias)` keeps, of the job-day
 * rows `r` that `jobDays` keeps, as (team_id, provider, gpu_type, day, cost): the team's
 * GPU-hours in the cell summed, then priced once at the cell's rate. That differs from the cost
 * report's sum of job-days priced one by one by under 10⁻⁹ USD (each job-day's price is rounded
 * to 12 decimals), and costs a quarter of the CPU: a multiplication per team and cell instead of
 * one per job-day. The report's series and the alerts' kept sums both come from here.
 */
export function teamCellDayCosts(onDays: (alias: string) => string, jobDays = 'true'): string {
  return `SELECT h.team_id, h.provider, h.gpu_type, h.day, h.gpu_hours * c.rate AS cost
         FROM (
           SELECT r.team_id, r.provider, r.gpu_type, r.day, sum(r.gpu_hours) AS gpu_hours
           FROM job_day_allocations r
           WHERE ${onDays('r')} AND ${jobDays}
           GROUP BY r.team_id, r.provider, r.gpu_type, r.day
         ) h
         JOIN allocation_cells c ON ${sameCell('c', 'h')}
         WHERE ${onDays('c')} AND c.snapshot_cost_usd IS NOT NULL`;
}

/**
 * Unusual daily cost per team and (provider, GPU type), against each series' own weekday-aware
 * history (anomaly-math.ts). The database sums the job-days into one array of daily costs per
 * series, in one query over the range and its history; the baseline is computed here: a trailing
 * median per day is no window function in PostgreSQL, and a lateral percentile per day costs a
 * sort of 28 rows for every series-day of the year.
 */
@Injectable()
export class AnomaliesService {
  private readonly settings: AnomalySettings;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
    config: ConfigService<Env, true>,
  ) {
    this.settings = {
      windowDays: config.get('ANOMALY_WINDOW_DAYS', { infer: true }),
      minHistoryDays: config.get('ANOMALY_MIN_HISTORY_DAYS', { infer: true }),
      minUsd: config.get('ANOMALY_MIN_USD', { infer: true }),
      minScore: config.get('ANOMALY_MIN_SCORE', { infer: true }),
      relativeFloor: 0.05,
    };
  }

  /** Every anomaly of the judged days, by day, then the largest change first (the alerts judge them all). */
  async find(query: AnomalyQuery): Promise<AnomalyRow[]> {
    return (await this.search(query, Infinity)).rows;
  }

  /**
   * The endpoint's answer: the `limit` largest changes among the anomalies of the judged days, by
   * day, then the largest change first, and how many were found. Only the kept rows are named and
   * get their top jobs read.
   */
  async search(query: AnomalyQuery, limit: number): Promise<AnomalySearch> {
    refuseArchived(await this.allocation.archivedWithin(query.start, query.end), 'start', 'cost by team and GPU type');
    await this.allocation.ensureFresh();
    return this.searchIn(query, (start, end, teamId) => this.dailySeries(start, end, teamId, query.labels), limit);
  }

  /**
   * The same search over series from elsewhere (the alerts' kept sums), without bringing the
   * allocation up to date first: the caller answers for the series being current.
   */
  async findIn(query: AnomalyQuery, source: SeriesSource): Promise<AnomalyRow[]> {
    return (await this.searchIn(query, source, Infinity)).rows;
  }

  private async searchIn(query: AnomalyQuery, source: SeriesSource, limit: number): Promise<AnomalySearch> {
    const historyStart = addDays(query.start, -this.settings.windowDays);
    const days = daysInRange(historyStart, query.end);
    const firstJudged = this.settings.windowDays;
    const [series, priced] = await Promise.all([
      source(historyStart, query.end, query.teamId),
      this.pricedDays(historyStart, query.end),
    ]);
    const pricedByCell = new Map<string, boolean[]>();
    for (const row of priced) {
      const flags = new Array<boolean>(days).fill(false);
      for (const offset of row.offsets) flags[offset] = true;
      pricedByCell.set(`${row.provider}|${row.gpu_type}`, flags);
    }

    const found: FoundAnomaly[] = [];
    // A year of a series is scored in about a millisecond; all of them at once held the process
    // 150-280 ms at a million jobs.
    const turns = new EventLoopTurns(SERIES_PER_TURN);
    for (const row of series) {
      await turns.next();
      const cellPriced = pricedByCell.get(`${row.provider}|${row.gpu_type}`);
      if (!cellPriced) continue;
      const priced = query.labels?.length ? fromFirstCost(cellPriced, row) : cellPriced;
      const cost = new Float64Array(days);
      row.offsets.forEach((offset, i) => (cost[offset] = row.costs[i]));
      for (const point of findAnomalies({ cost, priced }, firstJudged, days - 1, this.settings)) {
        found.push({
          day: addDays(historyStart, point.index),
          team_id: row.team_id,
          provider: row.provider,
          gpu_type: row.gpu_type,
          cost_usd: cents(point.cost),
          expected_usd: cents(point.expected),
          score: Math.round(point.score * 100) / 100,
          direction: point.direction,
        });
      }
    }
    if (!found.length) return { rows: [], total: 0 };
    const kept = largestChanges(found, limit).sort(byDayThenChange);
    const [names, topJobs] = await Promise.all([this.teamNames(kept), this.topJobs(kept, query.labels)]);
    const rows = kept.map((row, i) => ({
      day: row.day,
      team_id: row.team_id,
      team_name: names.get(row.team_id) ?? '',
      provider: row.provider,
      gpu_type: row.gpu_type,
      cost_usd: row.cost_usd,
      expected_usd: row.expected_usd,
      score: row.score,
      direction: row.direction,
      top_jobs: topJobs.get(i) ?? [],
    }));
    return { rows, total: found.length };
  }

  /**
   * Each team's daily cost per cell over the days, as arrays: a few hundred rows of arrays travel
   * much faster than one row per series-day. Only priced cells count (an unpriced cell costs 0).
   * Priced as `teamCellDayCosts` prices them, as the alerts' kept sums are.
   */
  private dailySeries(
    start: string,
    end: string,
    teamId: string | undefined,
    labels: LabelFilter[] = [],
  ): Promise<SeriesRow[]> {
    const labelled = jobDaysLabelled(labels, 4);
    return this.dataSource.query<SeriesRow[]>(
      `WITH d AS (${teamCellDayCosts((t) => `${t}.day BETWEEN $1::date AND $2::date`, `($3::uuid IS NULL OR r.team_id = $3::uuid)${labelled.sql}`)})
       SELECT team_id::text AS team_id, provider, gpu_type,
              array_agg(day - $1::date ORDER BY day) AS offsets,
              array_agg(cost::float8 ORDER BY day) AS costs
       FROM d GROUP BY team_id, provider, gpu_type`,
      [start, end, teamId ?? null, ...labelled.params],
    );
  }

  /**
   * The days each cell had a snapshot: the days its teams' costs are known. Archived days are not
   * among them: their teams' costs are gone (a baseline that read them would see no spend).
   */
  private pricedDays(start: string, end: string): Promise<PricedRow[]> {
    return this.dataSource.query<PricedRow[]>(
      `SELECT provider, gpu_type, array_agg(day - $1::date ORDER BY day) AS offsets
       FROM allocation_cells
       WHERE day BETWEEN $1::date AND $2::date AND snapshot_cost_usd IS NOT NULL AND ${UNARCHIVED_DAY}
       GROUP BY provider, gpu_type`,
      [start, end],
    );
  }

  private async teamNames(rows: { team_id: string }[]): Promise<Map<string, string>> {
    const ids = [...new Set(rows.map((r) => r.team_id))];
    const teams = await this.dataSource.query<{ id: string; name: string }[]>(
      `SELECT id::text AS id, name FROM teams WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(teams.map((t) => [t.id, t.name]));
  }

  /**
   * The costliest jobs of each anomaly's team in its cell that day, by the anomaly's position;
   * under label filters, of the labelled jobs the series summed.
   */
  private async topJobs(
    rows: { day: string; team_id: string; provider: string; gpu_type: string }[],
    labels: LabelFilter[] = [],
  ): Promise<Map<number, TopJob[]>> {
    const labelled = jobDaysLabelled(labels, 5);
    const found = await this.dataSource.query<TopJobRow[]>(
      `SELECT f.ord::text AS ord, j.job_id, t.model_name, round(t.cost, 2)::float8 AS cost_usd
       FROM unnest($1::date[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY f(day, team_id, provider, gpu_type, ord)
       CROSS JOIN LATERAL (
         SELECT r.job_uuid, r.model_name, ${jobDayCost('r.gpu_hours', 'c.rate')} AS cost
         FROM job_day_allocations r JOIN allocation_cells c ON ${sameCell('c', 'r')}
         WHERE r.day = f.day AND r.provider = f.provider AND r.gpu_type = f.gpu_type AND r.team_id = f.team_id${labelled.sql}
         ORDER BY 3 DESC, r.job_uuid
         LIMIT ${TOP_JOBS}
       ) t
       JOIN jobs j ON j.id = t.job_uuid
       ORDER BY f.ord, t.cost DESC, t.job_uuid`,
      [
        rows.map((r) => r.day),
        rows.map((r) => r.team_id),
        rows.map((r) => r.provider),
        rows.map((r) => r.gpu_type),
        ...labelled.params,
      ],
    );
    const byRow = new Map<number, TopJob[]>();
    for (const { ord, ...job } of found) {
      const index = Number(ord) - 1;
      byRow.set(index, [...(byRow.get(index) ?? []), job]);
    }
    return byRow;
  }
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
