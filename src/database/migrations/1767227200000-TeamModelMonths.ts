import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `allocation_team_model_months`: the day × team × model sums summed again by calendar month, so
 * that a report by team and model over weeks or months reads a row a team and model for each
 * month it mostly covers instead of a row a day (docs/allocation.md, "Tables"). Kept by every
 * refresh beside the day rows, and filled here from the day rows an existing database has.
 */
export class TeamModelMonths1767227200000 implements MigrationInterface {
  name = 'TeamModelMonths1767227200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "allocation_team_model_months" (
        "month" date NOT NULL,
        "team_id" uuid NOT NULL,
        "model_name" text NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "jobs_started" integer NOT NULL,
        "idle_share_usd" numeric NOT NULL DEFAULT 0,
        "measured_cost_usd" numeric NOT NULL DEFAULT 0,
        "used_cost_usd" numeric NOT NULL DEFAULT 0,
        CONSTRAINT "PK_allocation_team_model_months" PRIMARY KEY ("month", "team_id", "model_name")
      )`);
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`
      INSERT INTO "allocation_team_model_months"
      SELECT date_trunc('month', day)::date, team_id, model_name, trim_scale(sum(gpu_hours)), sum(cost_usd),
             trim_scale(sum(unpriced_gpu_hours)), sum(job_count), sum(jobs_started), sum(idle_share_usd),
             sum(measured_cost_usd), sum(used_cost_usd)
      FROM "allocation_team_model_days"
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "allocation_team_model_months"`);
  }
}
