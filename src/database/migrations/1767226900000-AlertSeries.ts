import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_team_cell_days`: each team's cost per priced (provider, GPU type) cell and day, the
 * series the anomaly rules judge (docs/decisions.md, "Anomalies", "For the alerts"). Filled
 * from the job-days an existing database already holds.
 */
export class AlertSeries1767226900000 implements MigrationInterface {
  name = 'AlertSeries1767226900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "alert_team_cell_days" (
        "day" date NOT NULL,
        "team_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "cost_usd" numeric NOT NULL,
        CONSTRAINT "PK_alert_team_cell_days" PRIMARY KEY ("day", "team_id", "provider", "gpu_type")
      )`);
    // GPU-hours per team and cell summed, then priced once at the cell's rate (as the app sums them).
    await q.query(`
      INSERT INTO "alert_team_cell_days" ("day", "team_id", "provider", "gpu_type", "cost_usd")
      SELECT h.day, h.team_id, h.provider, h.gpu_type, h.gpu_hours * c.rate
      FROM (
        SELECT day, team_id, provider, gpu_type, sum(gpu_hours) AS gpu_hours
        FROM job_day_allocations GROUP BY day, team_id, provider, gpu_type
      ) h
      JOIN allocation_cells c ON c.day = h.day AND c.provider = h.provider AND c.gpu_type = h.gpu_type
      WHERE c.snapshot_cost_usd IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "alert_team_cell_days"`);
  }
}
