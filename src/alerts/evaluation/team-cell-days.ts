import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SeriesRow, teamCellDayCosts } from '../../analytics/anomalies.service';

/**
 * Any number that is the same in every process: two API processes re-summing the same days take
 * turns instead of one inserting rows the other is deleting.
 */
const RESUM_LOCK = 0x4a1e27;

/**
 * `alert_team_cell_days`, the series the anomaly rules judge. An evaluation re-sums the days
 * ingestions changed (a one-day upload: a day or two of job-days) and then reads four weeks of
 * history per judged day from here: some thousand rows instead of every job-day of those weeks.
 */
@Injectable()
export class TeamCellDays {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Re-sums the days (`YYYY-MM-DD`) from the job-days as they are now. */
  async resum(days: string[]): Promise<void> {
    if (!days.length) return;
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [RESUM_LOCK]);
      await m.query(`DELETE FROM alert_team_cell_days WHERE day = ANY($1::date[])`, [days]);
      await m.query(
        `INSERT INTO alert_team_cell_days (day, team_id, provider, gpu_type, cost_usd)
         SELECT day, team_id, provider, gpu_type, cost FROM (${teamCellDayCosts((t) => `${t}.day = ANY($1::date[])`)}) d`,
        [days],
      );
    });
  }

  /** The kept series over [start, end], in the shape the anomaly search takes. */
  series(start: string, end: string, teamId: string | undefined): Promise<SeriesRow[]> {
    return this.dataSource.query<SeriesRow[]>(
      `SELECT team_id::text AS team_id, provider, gpu_type,
              array_agg(day - $1::date ORDER BY day) AS offsets,
              array_agg(cost_usd::float8 ORDER BY day) AS costs
       FROM alert_team_cell_days
       WHERE day BETWEEN $1::date AND $2::date AND ($3::uuid IS NULL OR team_id = $3::uuid)
       GROUP BY team_id, provider, gpu_type`,
      [start, end, teamId ?? null],
    );
  }
}
