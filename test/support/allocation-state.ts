import type { DataSource } from 'typeorm';

/**
 * A fingerprint of every derived allocation table (md5 of their rows in key order) and the
 * number of job-day rows: two refreshes agree when their fingerprints are equal.
 */
export async function allocationState(db: DataSource): Promise<Record<string, string | number>> {
  const [state] = await db.query(`SELECT
    (SELECT md5(string_agg(a::text, '|' ORDER BY a.day, a.provider, a.gpu_type, a.job_uuid)) FROM job_day_allocations a) AS job_days,
    (SELECT md5(string_agg((c.day, c.provider, c.gpu_type, c.snapshot_cost_usd, c.gpu_hours, c.allocated_usd, c.unallocated_usd, c.job_count, c.rate,
                 c.share_rate, c.capacity_id, c.capacity_gpu_hours, c.owner_team_id)::text, '|'
                ORDER BY c.day, c.provider, c.gpu_type)) FROM allocation_cells c) AS cells,
    (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.team_id, d.model_name)) FROM allocation_team_model_days d) AS team_model_days,
    (SELECT md5(string_agg(d::text, '|' ORDER BY d.month, d.team_id, d.model_name)) FROM allocation_team_model_months d) AS team_model_months,
    (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.team_id)) FROM allocation_team_days d) AS team_days,
    (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.model_name)) FROM allocation_model_days d) AS model_days,
    (SELECT md5(string_agg(d::text, '|' ORDER BY d.label_key, d.day, d.team_id, d.label_value)) FROM allocation_label_days d) AS label_days,
    (SELECT count(*)::int FROM allocation_label_days) AS label_rows,
    (SELECT count(*)::int FROM job_day_allocations) AS rows`);
  return state;
}
