import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1767225600000 implements MigrationInterface {
  name = 'InitialSchema1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "teams" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "description" text,
        "budget_usd" numeric(14,2),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_teams" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_teams_name" UNIQUE ("name"),
        CONSTRAINT "CHK_teams_budget_non_negative" CHECK ("budget_usd" >= 0)
      )`);
    await q.query(`
      CREATE TABLE "jobs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "job_id" text NOT NULL,
        "team_id" uuid NOT NULL,
        "model_name" text NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "gpu_count" numeric NOT NULL DEFAULT 1,
        "start_time" timestamptz NOT NULL,
        "end_time" timestamptz,
        "status" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_jobs" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_jobs_job_id" UNIQUE ("job_id"),
        CONSTRAINT "FK_jobs_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_jobs_gpu_count_positive" CHECK ("gpu_count" > 0),
        CONSTRAINT "CHK_jobs_end_after_start" CHECK ("end_time" IS NULL OR "end_time" >= "start_time"),
        CONSTRAINT "CHK_jobs_status" CHECK ("status" IN ('queued','running','completed','failed','cancelled'))
      )`);
    await q.query(`CREATE INDEX "idx_jobs_team_id" ON "jobs" ("team_id")`);
    await q.query(`CREATE INDEX "idx_jobs_status" ON "jobs" ("status")`);
    await q.query(`CREATE INDEX "idx_jobs_provider" ON "jobs" ("provider")`);
    await q.query(`CREATE INDEX "idx_jobs_start_time" ON "jobs" ("start_time")`);
    await q.query(`
      CREATE TABLE "cost_snapshots" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "entry_date" date NOT NULL,
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "cost_usd" numeric(14,4) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_cost_snapshots" PRIMARY KEY ("id"),
        CONSTRAINT "uq_cost_snapshots_day_provider_gpu" UNIQUE ("entry_date", "provider", "gpu_type"),
        CONSTRAINT "CHK_cost_snapshots_cost_non_negative" CHECK ("cost_usd" >= 0)
      )`);
    await q.query(`
      CREATE TABLE "ingestion_runs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "kind" text NOT NULL,
        "source" text NOT NULL,
        "status" text NOT NULL,
        "dry_run" boolean NOT NULL DEFAULT false,
        "atomic" boolean NOT NULL DEFAULT false,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        "counts" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "error_count" integer NOT NULL DEFAULT 0,
        "errors" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "message" text,
        CONSTRAINT "PK_ingestion_runs" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_ingestion_runs_kind" CHECK ("kind" IN ('jobs','costs')),
        CONSTRAINT "CHK_ingestion_runs_status" CHECK ("status" IN ('running','success','partial','failed'))
      )`);
    await q.query(`CREATE INDEX "idx_ingestion_runs_started_at" ON "ingestion_runs" ("started_at")`);
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" text NOT NULL,
        "password_hash" text NOT NULL,
        "role" text NOT NULL,
        "team_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_users" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_users_email" UNIQUE ("email"),
        CONSTRAINT "FK_users_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_users_role" CHECK ("role" IN ('admin','member')),
        CONSTRAINT "CHK_users_member_has_team" CHECK ("role" = 'admin' OR "team_id" IS NOT NULL)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "users"`);
    await q.query(`DROP TABLE "ingestion_runs"`);
    await q.query(`DROP TABLE "cost_snapshots"`);
    await q.query(`DROP TABLE "jobs"`);
    await q.query(`DROP TABLE "teams"`);
  }
}
