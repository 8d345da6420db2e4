import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Labels and GPU utilization on jobs (docs/allocation.md, "Labels" and "Utilization").
 *
 * `labels`: the job's own key → value pairs (at most 32, checked at ingestion), a JSON object;
 * existing jobs get none. `gpu_utilization`: the average share of the GPUs' time the job kept
 * them busy, 0 to 1; null when the job does not report it (existing jobs do not).
 *
 * `idx_jobs_labels` (GIN, jsonb_path_ops) serves the listing's `label.<key>=<value>` filters, a
 * containment test: without it a label matching one job in 200 made the listing's capped count
 * walk some 200,000 jobs (600 ms at a million jobs; 20 ms with it). docs/decisions.md, "Labels".
 */
export class JobLabelsAndUtilization1767227100000 implements MigrationInterface {
  name = 'JobLabelsAndUtilization1767227100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "jobs"
        ADD "labels" jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD "gpu_utilization" numeric,
        ADD CONSTRAINT "CHK_jobs_labels_object" CHECK (jsonb_typeof("labels") = 'object'),
        ADD CONSTRAINT "CHK_jobs_gpu_utilization" CHECK ("gpu_utilization" >= 0 AND "gpu_utilization" <= 1)`);
    await q.query(`CREATE INDEX "idx_jobs_labels" ON "jobs" USING gin ("labels" jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_jobs_labels"`);
    await q.query(`
      ALTER TABLE "jobs"
        DROP CONSTRAINT "CHK_jobs_gpu_utilization",
        DROP CONSTRAINT "CHK_jobs_labels_object",
        DROP COLUMN "gpu_utilization",
        DROP COLUMN "labels"`);
  }
}
