import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AnomalyRow } from './candidates';
import type { AnomalyFinder } from './sources';

/** Days of history a day is compared with. */
const WINDOW_DAYS = 28;
/**
 * Days with spend the history needs before a day can be called anomalous: half the window, so
 * that the days before a workload started (counted as 0) never make its usual cost look high.
 */
const MIN_ACTIVE_DAYS = WINDOW_DAYS / 2;
/** Smallest change from the baseline, in USD, that is reported: small teams page no one. */
const MIN_CHANGE_USD = 100;
/** Robust z-score from which a day is anomalous: |cost − median| / (1.4826 × MAD). */
const MIN_SCORE = 4;

interface BaselineRow {
  day: string;
  team_id: string;
  team_name: string;
  provider: string;
  gpu_type: string;
  cost_usd: number;
  median: number;
  mad: number;
}

/**
 * A minimal anomaly finder for alert rules: each team's daily cost on a provider and GPU type
 * against the median and MAD of its trailing WINDOW_DAYS days (days without spend count as 0).
 * Only combinations with spend on the day are looked at (a drop to nothing is not reported).
 */
@Injectable()
export class BaselineAnomalyFinder implements AnomalyFinder {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(range: { start: string; end: string; teamId?: string }): Promise<AnomalyRow[]> {
    const rows = await this.dataSource.query<BaselineRow[]>(
      `WITH daily AS (
         SELECT a.day, a.team_id, a.provider, a.gpu_type, sum(round(a.gpu_hours * c.rate, 12)) AS cost
         FROM job_day_allocations a
         JOIN allocation_cells c ON c.day = a.day AND c.provider = a.provider AND c.gpu_type = a.gpu_type
         WHERE a.day BETWEEN $1::date - ${WINDOW_DAYS} AND $2::date AND ($3::uuid IS NULL OR a.team_id = $3::uuid)
         GROUP BY a.day, a.team_id, a.provider, a.gpu_type
       ), targets AS (
         SELECT day, team_id, provider, gpu_type, cost FROM daily WHERE day BETWEEN $1::date AND $2::date AND cost > 0
       ), history AS (
         SELECT t.day, t.team_id, t.provider, t.gpu_type, coalesce(x.cost, 0) AS cost
         FROM targets t
         CROSS JOIN LATERAL generate_series(t.day - ${WINDOW_DAYS}, t.day - 1, interval '1 day') AS h(d)
         LEFT JOIN daily x ON x.day = h.d::date AND x.team_id = t.team_id AND x.provider = t.provider AND x.gpu_type = t.gpu_type
       ), medians AS (
         SELECT day, team_id, provider, gpu_type, percentile_cont(0.5) WITHIN GROUP (ORDER BY cost) AS median,
                count(*) FILTER (WHERE cost > 0) AS active_days
         FROM history GROUP BY day, team_id, provider, gpu_type
       ), mads AS (
         SELECT h.day, h.team_id, h.provider, h.gpu_type, m.median,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.cost - m.median)) AS mad
         FROM history h JOIN medians m USING (day, team_id, provider, gpu_type)
         WHERE m.active_days >= ${MIN_ACTIVE_DAYS}
         GROUP BY h.day, h.team_id, h.provider, h.gpu_type, m.median
       )
       SELECT to_char(t.day, 'YYYY-MM-DD') AS day, t.team_id, tm.name AS team_name, t.provider, t.gpu_type,
              round(t.cost, 2)::float8 AS cost_usd, round(m.median::numeric, 2)::float8 AS median, m.mad::float8 AS mad
       FROM targets t
       JOIN mads m USING (day, team_id, provider, gpu_type)
       JOIN teams tm ON tm.id = t.team_id
       WHERE abs(t.cost - m.median::numeric) >= ${MIN_CHANGE_USD}
       ORDER BY t.day, t.team_id, t.provider, t.gpu_type`,
      [range.start, range.end, range.teamId ?? null],
    );
    return rows.flatMap((r) => {
      const change = r.cost_usd - r.median;
      // A flat history (MAD 0) still has a scale: a cent, so any large change there is anomalous.
      const score = Math.abs(change) / Math.max(1.4826 * r.mad, 0.01);
      if (score < MIN_SCORE) return [];
      return [
        {
          day: r.day,
          team_id: r.team_id,
          team_name: r.team_name,
          provider: r.provider,
          gpu_type: r.gpu_type,
          cost_usd: r.cost_usd,
          expected_usd: r.median,
          score: Math.round(score * 10) / 10,
          direction: change > 0 ? ('up' as const) : ('down' as const),
        },
      ];
    });
  }
}
