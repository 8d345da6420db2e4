import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets a refresh work on the jobs that changed instead of whole cells (docs/allocation.md).
 *
 * - A job-day row keeps its GPU-hours only. Its cost is round(gpu_hours × rate, 12), where the
 *   cell's rate is snapshot ÷ GPU-hours: a new snapshot, or a job joining a busy cell, then
 *   changes one cell row and the day-table sums, not every job-day of the cell.
 * - `allocation_dirty_jobs` holds the changed jobs (their old and new intervals), so a refresh
 *   replaces just their job-day rows. A cell mark now says whether the cell is to be recomputed
 *   from `jobs` (a rebuild, a repair) or only its snapshot changed.
 * - `allocation_running_checks` records when running jobs were last measured up to the present.
 *
 * Existing rows are converted in place: rates from the cells, day tables re-summed at them.
 */
export class AllocationByChangedJobs1767226000000 implements MigrationInterface {
  name = 'AllocationByChangedJobs1767226000000';

  async up(q: QueryRunner): Promise<void> {
    // Re-summing a large history outlasts the pool's per-statement timeout.
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`
      CREATE TABLE "allocation_dirty_jobs" (
        "id" BIGSERIAL NOT NULL,
        "job_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "start_time" timestamptz NOT NULL,
        "end_time" timestamptz,
        "marked_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_allocation_dirty_jobs" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "allocation_running_checks" (
        "id" boolean NOT NULL,
        "measured_at" timestamptz NOT NULL,
        CONSTRAINT "PK_allocation_running_checks" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_allocation_running_checks_single_row" CHECK ("id")
      )`);
    await q.query(`ALTER TABLE "allocation_dirty_cells" ADD "recompute" boolean NOT NULL DEFAULT true`);
    // -infinity: running jobs are measured again at the first read.
    await q.query(`INSERT INTO "allocation_running_checks" ("id", "measured_at") VALUES (true, '-infinity')`);

    await q.query(
      `UPDATE "allocation_cells" SET "gpu_hours" = trim_scale("gpu_hours"), "unpriced_gpu_hours" = trim_scale("unpriced_gpu_hours")`,
    );
    await q.query(`ALTER TABLE "allocation_cells" ADD "rate" numeric`);
    await q.query(`
      UPDATE "allocation_cells" SET "rate" =
        CASE WHEN "job_count" > 0 AND "snapshot_cost_usd" IS NOT NULL THEN "snapshot_cost_usd" / "gpu_hours" ELSE 0 END`);
    await q.query(`ALTER TABLE "allocation_cells" ALTER "rate" SET NOT NULL`);
    await q.query(`ALTER TABLE "job_day_allocations" DROP COLUMN "cost_usd", DROP COLUMN "unpriced"`);

    for (const table of ['allocation_team_model_days', 'allocation_team_days', 'allocation_model_days'])
      await q.query(`DELETE FROM "${table}"`);
    await q.query(`
      INSERT INTO "allocation_team_model_days"
      SELECT a."day", a."team_id", a."model_name", trim_scale(sum(a."gpu_hours")), sum(round(a."gpu_hours" * c."rate", 12)),
             trim_scale(sum(CASE WHEN c."snapshot_cost_usd" IS NULL THEN a."gpu_hours" ELSE 0 END)),
             count(*), count(*) FILTER (WHERE a."first_day")
      FROM "job_day_allocations" a
      JOIN "allocation_cells" c ON c."day" = a."day" AND c."provider" = a."provider" AND c."gpu_type" = a."gpu_type"
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
    for (const [table, key] of [
      ['allocation_team_days', 'team_id'],
      ['allocation_model_days', 'model_name'],
    ]) {
      await q.query(`
        INSERT INTO "${table}"
        SELECT "day", "${key}", trim_scale(sum("gpu_hours")), sum("cost_usd"), trim_scale(sum("unpriced_gpu_hours")), sum("job_count"), sum("jobs_started")
        FROM "allocation_team_model_days" GROUP BY 1, 2 ORDER BY 1, 2`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`ALTER TABLE "job_day_allocations" ADD "cost_usd" numeric, ADD "unpriced" boolean`);
    await q.query(`
      UPDATE "job_day_allocations" a SET "cost_usd" = round(a."gpu_hours" * c."rate", 12), "unpriced" = c."snapshot_cost_usd" IS NULL
      FROM "allocation_cells" c WHERE c."day" = a."day" AND c."provider" = a."provider" AND c."gpu_type" = a."gpu_type"`);
    await q.query(`ALTER TABLE "job_day_allocations" ALTER "cost_usd" SET NOT NULL, ALTER "unpriced" SET NOT NULL`);
    await q.query(`ALTER TABLE "allocation_cells" DROP COLUMN "rate"`);
    await q.query(`DROP TABLE "allocation_running_checks"`);
    await q.query(`ALTER TABLE "allocation_dirty_cells" DROP COLUMN "recompute"`);
    await q.query(`DROP TABLE "allocation_dirty_jobs"`);
  }
}
