import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SeriesRow, teamCellDayCosts } from '../../analytics/anomalies.service';
import { addDays, daysInRange } from '../../common/calendar';

/**
 * Any number that is the same in every process: two API processes re-summing the same days take
 * turns instead of one inserting rows the other is deleting.
 */
const RESUM_LOCK = 0x4a1e27;

/**
 * How many days of series a process keeps. An evaluation after an upload judges a day or two
 * against the four weeks before them, so twice that covers the next evaluations too.
 */
const KEPT_DAYS = 64;

/** What is kept of a row of alert_team_cell_days, as read and as re-summed. */
const KEPT_COLUMNS = `to_char(day, 'YYYY-MM-DD') AS day, team_id::text AS team_id, provider, gpu_type, cost_usd::float8 AS cost`;

/** One team's cost in one cell on one day. */
interface CellCost {
  team_id: string;
  provider: string;
  gpu_type: string;
  cost: number;
}

/** A kept cost, with the key of its series (team × cell) made once, when the day is kept. */
interface KeptCost extends CellCost {
  series: string;
}

/** A day's series as read, with the version (alert_series_days) they were read at; null: never re-summed. */
interface KeptDay {
  version: string | null;
  costs: KeptCost[];
}

/**
 * `alert_team_cell_days`, the series the anomaly rules judge. An evaluation re-sums the days
 * ingestions changed (a one-day upload: a day or two of job-days) and then reads four weeks of
 * history per judged day. That history hardly changes between two evaluations, so the process
 * keeps what it read, by day, and reads again only the days whose version (the transaction that
 * last re-summed them, in any process) moved: an upload's evaluation reads its own days, not the
 * ~20,000 series-days of the weeks before them.
 */
@Injectable()
export class TeamCellDays {
  private readonly kept = new Map<string, KeptDay>();
  /** The same string for the same team, provider or GPU type, however often read. */
  private readonly names = new Map<string, string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Re-sums the days (`YYYY-MM-DD`) from the job-days as they are now, and moves their version.
   * What it writes this process keeps (the newest KEPT_DAYS days): the next evaluation judges
   * these very days, and a long-running process holds the recent weeks it re-summed.
   */
  async resum(days: string[]): Promise<void> {
    if (!days.length) return;
    // The newest KEPT_DAYS of them: a backfill's evaluation re-sums a year, the recent weeks matter.
    const keptFrom = [...days].sort().reverse()[Math.min(days.length, KEPT_DAYS) - 1];
    const written = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [RESUM_LOCK]);
      // The planner takes every job-day for a group of its own (~40,000 for two days at 1M jobs,
      // ~1,800 in fact) and, at the default 4 MB, sorts them on disk instead of hashing: 3× slower.
      await m.query(`SET LOCAL work_mem = '64MB'`);
      // The series are derived, and the evaluation's own commit (events, outbox, cleared days)
      // flushes the log past this one: waiting here for the disk (10-15 ms a commit at a million
      // jobs) bought nothing. A crash before that commit leaves the days pending, re-summed again.
      await m.query(`SET LOCAL synchronous_commit = off`);
      await m.query(`DELETE FROM alert_team_cell_days WHERE day = ANY($1::date[])`, [days]);
      // Only a day with a bill has series. Today's running jobs change today with every upload,
      // and its bill comes tomorrow: summing its job-days, only to price none of them, was half
      // the re-sum after a one-day upload at a million jobs (three days changed, one billed).
      const billed = (
        await m.query<{ day: string }[]>(
          `SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS day FROM allocation_cells
           WHERE day = ANY($1::date[]) AND snapshot_cost_usd IS NOT NULL`,
          [days],
        )
      ).map((r) => r.day);
      const costs = billed.length
        ? await m.query<(CellCost & { day: string })[]>(
            `WITH written AS (
               INSERT INTO alert_team_cell_days (day, team_id, provider, gpu_type, cost_usd)
               SELECT day, team_id, provider, gpu_type, cost FROM (${teamCellDayCosts((t) => `${t}.day = ANY($1::date[])`)}) d
               RETURNING *
             )
             SELECT ${KEPT_COLUMNS} FROM written WHERE day >= $2::date`,
            [billed, keptFrom],
          )
        : [];
      const [{ version }] = await m.query<{ version: string }[]>(
        `INSERT INTO alert_series_days (day, version) SELECT d, txid_current() FROM unnest($1::date[]) AS d
         ON CONFLICT (day) DO UPDATE SET version = EXCLUDED.version
         RETURNING version::text AS version`,
        [days],
      );
      return { costs, version };
    });
    this.keep(
      days.filter((day) => day >= keptFrom),
      written.costs,
      () => written.version,
    );
    this.forgetAllBut(new Set());
  }

  /** The kept series over [start, end], in the shape the anomaly search takes. */
  async series(start: string, end: string, teamId: string | undefined): Promise<SeriesRow[]> {
    const days = Array.from({ length: daysInRange(start, end) }, (_, i) => addDays(start, i));
    await this.readChanged(start, end, days);
    const byKey = new Map<string, SeriesRow>();
    days.forEach((day, offset) => {
      for (const c of this.kept.get(day)!.costs) {
        if (teamId !== undefined && c.team_id !== teamId) continue;
        let row = byKey.get(c.series);
        if (!row) {
          row = { team_id: c.team_id, provider: c.provider, gpu_type: c.gpu_type, offsets: [], costs: [] };
          byKey.set(c.series, row);
        }
        row.offsets.push(offset);
        row.costs.push(c.cost);
      }
    });
    this.forgetAllBut(new Set(days));
    return [...byKey.values()];
  }

  /**
   * Reads the days of [start, end] not kept at their current version. Versions are read first:
   * a re-sum committed between the two reads leaves newer costs under the older version, which
   * the next call reads again, never older costs under the newer one.
   */
  private async readChanged(start: string, end: string, days: string[]): Promise<void> {
    const versions = await this.dataSource.query<{ day: string; version: string }[]>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, version::text AS version FROM alert_series_days
       WHERE day BETWEEN $1::date AND $2::date`,
      [start, end],
    );
    const versionOf = new Map(versions.map((v) => [v.day, v.version]));
    const changed = days.filter((day) => this.kept.get(day)?.version !== (versionOf.get(day) ?? null));
    if (!changed.length) return;
    const rows = await this.dataSource.query<(CellCost & { day: string })[]>(
      `SELECT ${KEPT_COLUMNS} FROM alert_team_cell_days WHERE day = ANY($1::date[])`,
      [changed],
    );
    this.keep(changed, rows, (day) => versionOf.get(day) ?? null);
  }

  /** Keeps the days' costs (rows of any of them, none for a day without cost) at their version. */
  private keep(days: string[], rows: (CellCost & { day: string })[], versionOf: (day: string) => string | null): void {
    const costsOf = new Map<string, KeptCost[]>(days.map((day) => [day, []]));
    for (const r of rows) {
      costsOf.get(r.day)!.push({
        team_id: this.name(r.team_id),
        provider: this.name(r.provider),
        gpu_type: this.name(r.gpu_type),
        cost: r.cost,
        // One string per series, whatever the day: series() groups a month of kept days by it
        // without building and hashing a key per kept cost (~28,000 at a million jobs).
        series: this.name(`${r.team_id}|${r.provider}|${r.gpu_type}`),
      });
    }
    for (const [day, costs] of costsOf) this.kept.set(day, { version: versionOf(day), costs });
  }

  /** Past KEPT_DAYS, the kept days outside `inUse` (the last read) go, oldest first. */
  private forgetAllBut(inUse: Set<string>): void {
    if (this.kept.size <= KEPT_DAYS) return;
    for (const day of [...this.kept.keys()].sort()) {
      if (this.kept.size <= KEPT_DAYS) break;
      if (!inUse.has(day)) this.kept.delete(day);
    }
  }

  private name(value: string): string {
    let same = this.names.get(value);
    if (same === undefined) {
      same = value;
      this.names.set(value, value);
    }
    return same;
  }
}
