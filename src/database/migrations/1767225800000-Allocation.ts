import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The maintained result of cost allocation (docs/allocation.md): one row per job and day, one
 * per (day, provider, gpu_type) cell, rollups for the analytics reads, and the queue of cells
 * that need recomputing. Derived tables carry no foreign keys: they are rebuilt from the raw
 * tables at will, and keys would only slow the per-batch refresh.
 */
export class Allocation1767225800000 implements MigrationInterface {
  name = 'Allocation1767225800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "allocation_dirty_cells" (
        "id" BIGSERIAL NOT NULL,
        "day" date NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "marked_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_allocation_dirty_cells" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "allocation_cells" (
        "day" date NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "snapshot_cost_usd" numeric(14,4),
        "gpu_hours" numeric NOT NULL,
        "allocated_usd" numeric NOT NULL,
        "unallocated_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "refreshed_at" timestamptz NOT NULL,
        CONSTRAINT "PK_allocation_cells" PRIMARY KEY ("day", "provider", "gpu_type")
      )`);
    await q.query(`
      CREATE TABLE "job_day_allocations" (
        "day" date NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "job_id" uuid NOT NULL,
        "team_id" uuid NOT NULL,
        "model_name" text NOT NULL,
        "status" text NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        CONSTRAINT "PK_job_day_allocations" PRIMARY KEY ("day", "provider", "gpu_type", "job_id")
      )`);
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
    // Day-by-team and day-by-model totals: the by-team and by-model reads scan a few rows per day.
    await q.query(`
      CREATE TABLE "allocation_team_days" (
        "day" date NOT NULL,
        "team_id" uuid NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "jobs_started" integer NOT NULL,
        CONSTRAINT "PK_allocation_team_days" PRIMARY KEY ("day", "team_id")
      )`);
    await q.query(`
      CREATE TABLE "allocation_model_days" (
        "day" date NOT NULL,
        "model_name" text NOT NULL,
        "gpu_hours" numeric NOT NULL,
        "cost_usd" numeric NOT NULL,
        "unpriced_gpu_hours" numeric NOT NULL,
        "job_count" integer NOT NULL,
        "jobs_started" integer NOT NULL,
        CONSTRAINT "PK_allocation_model_days" PRIMARY KEY ("day", "model_name")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'allocation_model_days',
      'allocation_team_days',
      'allocation_rollups',
      'job_day_allocations',
      'allocation_cells',
      'allocation_dirty_cells',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
