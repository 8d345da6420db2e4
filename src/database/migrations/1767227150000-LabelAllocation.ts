import { MigrationInterface, QueryRunner } from 'typeorm';

const DAY_TABLES = ['allocation_team_days', 'allocation_model_days', 'allocation_team_model_days'];

/**
 * Labels and utilization in the allocation (docs/allocation.md, "Labels" and "Utilization").
 *
 * Job-day rows carry their job's labels and utilization, so that a refresh knows what a removed
 * row counted for after its job changed, and the job-day reads can filter and group by labels.
 * The day tables keep two more sums: the cost of the rows whose job reports utilization
 * (`measured_cost_usd`) and that cost times the utilization (`used_cost_usd`).
 *
 * `allocation_label_days`: the same sums per day × team × label key × value, one row for each
 * label a group's jobs carry, so that `group_by=label:<key>` and `label.<key>=<value>` read
 * sums, not job-days. Jobs without the key are the day × team row less the key's rows.
 * Existing jobs have no labels and no utilization: the new columns start empty, and so does
 * the table.
 */
export class LabelAllocation1767227150000 implements MigrationInterface {
  name = 'LabelAllocation1767227150000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "job_day_allocations"
        ADD "labels" jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD "gpu_utilization" numeric`);
    for (const table of DAY_TABLES) {
      await q.query(`
        ALTER TABLE "${table}"
          ADD "measured_cost_usd" numeric NOT NULL DEFAULT 0,
          ADD "used_cost_usd" numeric NOT NULL DEFAULT 0`);
    }
    await q.query(`
      CREATE TABLE "allocation_label_days" (
        "label_key" text NOT NULL,
        "day" date NOT NULL,
        "team_id" uuid NOT NULL,
        "label_value" text NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "jobs_started" integer NOT NULL,
        "idle_share_usd" numeric NOT NULL DEFAULT 0,
        "measured_cost_usd" numeric NOT NULL DEFAULT 0,
        "used_cost_usd" numeric NOT NULL DEFAULT 0,
        CONSTRAINT "PK_allocation_label_days" PRIMARY KEY ("label_key", "day", "team_id", "label_value")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "allocation_label_days"`);
    for (const table of DAY_TABLES) {
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "measured_cost_usd", DROP COLUMN "used_cost_usd"`);
    }
    await q.query(`ALTER TABLE "job_day_allocations" DROP COLUMN "labels", DROP COLUMN "gpu_utilization"`);
  }
}
