import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_team_cell_days`: each team's cost per priced (provider, GPU type) cell and day, the
 * series the anomaly rules judge (docs/decisions.md, "Anomaly rules after an upload"). Filled
 * from the job-days an existing database already holds, priced as the reports price them.
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
    await q.query(`
      INSERT INTO "alert_team_cell_days" ("day", "team_id", "provider", "gpu_type", "cost_usd")
      SELECT r.day, r.team_id, r.provider, r.gpu_type, sum(round(r.gpu_hours * c.rate, 12))
      FROM job_day_allocations r
      JOIN allocation_cells c ON c.day = r.day AND c.provider = r.provider AND c.gpu_type = r.gpu_type
      WHERE c.snapshot_cost_usd IS NOT NULL
      GROUP BY r.day, r.team_id, r.provider, r.gpu_type`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "alert_team_cell_days"`);
  }
}
