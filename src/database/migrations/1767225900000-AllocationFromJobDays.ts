import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes an incremental refresh read only the jobs that can touch its cells, and drops the
 * day × provider × gpu_type × team × model × status rollup (docs/allocation.md).
 *
 * - `allocation_span_bounds` keeps an upper bound of the longest finished job: the jobs that
 *   can overlap day D then started after D minus that bound, an index range on `start_time`
 *   instead of every job that started before D. Running jobs (no end) come from a partial
 *   index that holds only them.
 * - The rollup had nearly one row per job-day (each job is almost alone in its
 *   team × model × status of a cell), so it cost a second job-day table on every refresh and
 *   saved reads nothing. Filtered reads use `job_day_allocations`, which gains the two facts the
 *   rollup carried: whether the cell was priced and whether it is the job's first day.
 * - `allocation_team_model_days` sums job-days by day × team × model (a third of their rows):
 *   `group_by=team,model` reads it instead of every job-day of the range.
 * - The job_id index of `job_day_allocations` took two thirds of the time of writing a year of
 *   job-days (uuids arrive in random order). A job's rows are found through its own provider,
 *   GPU type and days on the primary key instead.
 */
export class AllocationFromJobDays1767225900000 implements MigrationInterface {
  name = 'AllocationFromJobDays1767225900000';

  async up(q: QueryRunner): Promise<void> {
    // Rewriting every job-day row of a large history outlasts the pool's per-statement timeout.
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`
      CREATE TABLE "allocation_span_bounds" (
        "id" BIGSERIAL NOT NULL,
        "longest_seconds" double precision NOT NULL,
        "recorded_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_allocation_span_bounds" PRIMARY KEY ("id")
      )`);
    await q.query(`
      INSERT INTO "allocation_span_bounds" ("longest_seconds")
      SELECT coalesce(max(extract(epoch FROM "end_time" - "start_time")), 0) FROM "jobs" WHERE "end_time" IS NOT NULL`);
    await q.query(`CREATE INDEX "idx_jobs_running_start_time" ON "jobs" ("start_time") WHERE "end_time" IS NULL`);

    await q.query(`ALTER TABLE "job_day_allocations" ADD "unpriced" boolean`);
    await q.query(`ALTER TABLE "job_day_allocations" ADD "first_day" boolean`);
    await q.query(`
      UPDATE "job_day_allocations" a SET
        "unpriced" = NOT EXISTS (SELECT 1 FROM "cost_snapshots" s
                                 WHERE s."entry_date" = a."day" AND s."provider" = a."provider" AND s."gpu_type" = a."gpu_type"),
        "first_day" = a."day" = (SELECT ("start_time" AT TIME ZONE 'UTC')::date FROM "jobs" j WHERE j."id" = a."job_id")`);
    // A job-day row whose job is gone cannot be told apart; it is not a first day.
    await q.query(`UPDATE "job_day_allocations" SET "first_day" = false WHERE "first_day" IS NULL`);
    await q.query(`ALTER TABLE "job_day_allocations" ALTER "unpriced" SET NOT NULL, ALTER "first_day" SET NOT NULL`);
    await q.query(`DROP TABLE "allocation_rollups"`);
    await q.query(`DROP INDEX "idx_job_day_allocations_job"`);

    await q.query(`
      CREATE TABLE "allocation_team_model_days" (
        "day" date NOT NULL,
        "team_id" uuid NOT NULL,
        "model_name" text NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "jobs_started" integer NOT NULL,
        CONSTRAINT "PK_allocation_team_model_days" PRIMARY KEY ("day", "team_id", "model_name")
      )`);
    await q.query(`
      INSERT INTO "allocation_team_model_days"
      SELECT "day", "team_id", "model_name", sum("gpu_hours"), sum("cost_usd"), sum(CASE WHEN "unpriced" THEN "gpu_hours" ELSE 0 END),
             count(*), count(*) FILTER (WHERE "first_day")
      FROM "job_day_allocations" GROUP BY 1, 2, 3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "allocation_team_model_days"`);
    await q.query(`CREATE INDEX "idx_job_day_allocations_job" ON "job_day_allocations" ("job_id")`);
    await q.query(`
      CREATE TABLE "allocation_rollups" (
        "day" date NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "team_id" uuid NOT NULL,
        "model_name" text NOT NULL,
        "status" text NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "jobs_started" integer NOT NULL,
        CONSTRAINT "PK_allocation_rollups" PRIMARY KEY ("day", "provider", "gpu_type", "team_id", "model_name", "status")
      )`);
    await q.query(`CREATE INDEX "idx_allocation_rollups_team_day" ON "allocation_rollups" ("team_id", "day")`);
    await q.query(`
      INSERT INTO "allocation_rollups"
      SELECT "day", "provider", "gpu_type", "team_id", "model_name", "status", sum("gpu_hours"), sum("cost_usd"),
             sum(CASE WHEN "unpriced" THEN "gpu_hours" ELSE 0 END), count(*), count(*) FILTER (WHERE "first_day")
      FROM "job_day_allocations" GROUP BY 1, 2, 3, 4, 5, 6`);
    await q.query(`ALTER TABLE "job_day_allocations" DROP COLUMN "first_day", DROP COLUMN "unpriced"`);
    await q.query(`DROP INDEX "idx_jobs_running_start_time"`);
    await q.query(`DROP TABLE "allocation_span_bounds"`);
  }
}
