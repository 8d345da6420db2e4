import { Pool } from 'pg';

/**
 * The on-the-fly reference for analytics: one SQL query per question that applies the
 * allocation rule (DESIGN section 4) straight to the raw `jobs` and `cost_snapshots`, with
 * nothing precomputed. Each job is split over its UTC days with generate_series; a day's snapshot
 * is shared by GPU-hours among the jobs on that (day, provider, GPU type).
 *
 * The pool must run with TimeZone=UTC, so that `::date` and day arithmetic are UTC days.
 */

export type Dimension = 'team' | 'model' | 'day' | 'project';

const KEY_SQL: Record<Dimension, string> = {
  team: 't.name',
  model: 'sh.model_name',
  day: `to_char(sh.day, 'YYYY-MM-DD')`,
  project: `coalesce(sh.labels ->> 'project', '(none)')`,
};

function referenceSql(dimensions: Dimension[]): string {
  const key = dimensions.map((d) => KEY_SQL[d]).join(` || '|' || `);
  return `
    WITH usage AS (
      SELECT j.team_id, j.model_name, j.labels, j.provider, j.gpu_type, d.day,
             j.gpu_count * extract(epoch FROM
               least(coalesce(j.end_time, now()), d.day + interval '1 day') - greatest(j.start_time, d.day)
             ) / 3600 AS gpu_hours
      FROM jobs j
      CROSS JOIN LATERAL generate_series(
        greatest(j.start_time::date, $1::date)::timestamptz,
        least(coalesce(j.end_time, now())::date, $2::date)::timestamptz,
        interval '1 day') AS d(day)
      WHERE j.start_time < ($2::date + 1)::timestamptz
        AND coalesce(j.end_time, now()) > $1::date::timestamptz
    ),
    shares AS (
      SELECT u.*, u.gpu_hours / sum(u.gpu_hours) OVER (PARTITION BY u.day, u.provider, u.gpu_type) AS share
      FROM usage u
      WHERE u.gpu_hours > 0
    )
    SELECT ${key} AS key, round(sum(s.cost_usd * sh.share) * 100)::bigint AS cents
    FROM shares sh
    JOIN cost_snapshots s ON s.entry_date = sh.day::date AND s.provider = sh.provider AND s.gpu_type = sh.gpu_type
    JOIN teams t ON t.id = sh.team_id
    GROUP BY 1`;
}

/** Allocated cost in cents per group key (`team|model` for two dimensions). */
export async function referenceAnswer(
  pool: Pool,
  dimensions: Dimension[],
  start: string,
  end: string,
): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ key: string; cents: string }>(referenceSql(dimensions), [start, end]);
  return new Map(rows.map((r) => [r.key, Number(r.cents)]));
}

/** Dollars (number or numeric string) to whole cents. */
export function toCents(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`Not an amount: ${JSON.stringify(value)}`);
  return Math.round(n * 100);
}

export interface Disagreement {
  key: string;
  heliox: number;
  reference: number;
}

/**
 * Groups whose amounts differ by more than one cent (a group missing on one side counts as 0).
 * One cent of slack: both sides round a sum of exact shares to cents, and two roundings of the
 * same half-cent may land either way.
 */
export function compareAnswers(heliox: Map<string, number>, reference: Map<string, number>): Disagreement[] {
  const keys = new Set([...heliox.keys(), ...reference.keys()]);
  const out: Disagreement[] = [];
  for (const key of keys) {
    const h = heliox.get(key) ?? 0;
    const r = reference.get(key) ?? 0;
    if (Math.abs(h - r) > 1) out.push({ key, heliox: h, reference: r });
  }
  return out.sort((a, b) => Math.abs(b.heliox - b.reference) - Math.abs(a.heliox - a.reference));
}
