import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every jobs listing orders by (start_time, job_id), so each filter gets an index ending in
 * those columns: a filtered page is then an ordered index scan that stops after one page,
 * and a keyset cursor seeks straight to its position. The single-column indexes of the
 * initial schema are prefixes of these and would only slow writes down.
 */
export class JobsListingIndexes1767225700000 implements MigrationInterface {
  name = 'JobsListingIndexes1767225700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "idx_jobs_start_time_job_id" ON "jobs" ("start_time", "job_id")`);
    await q.query(`CREATE INDEX "idx_jobs_team_start_time" ON "jobs" ("team_id", "start_time", "job_id")`);
    await q.query(`CREATE INDEX "idx_jobs_status_start_time" ON "jobs" ("status", "start_time", "job_id")`);
    await q.query(
      `CREATE INDEX "idx_jobs_provider_gpu_start_time" ON "jobs" ("provider", "gpu_type", "start_time", "job_id")`,
    );
    await q.query(`CREATE INDEX "idx_jobs_model_start_time" ON "jobs" ("model_name", "start_time", "job_id")`);
    await q.query(`DROP INDEX "idx_jobs_team_id"`);
    await q.query(`DROP INDEX "idx_jobs_status"`);
    await q.query(`DROP INDEX "idx_jobs_provider"`);
    await q.query(`DROP INDEX "idx_jobs_start_time"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "idx_jobs_team_id" ON "jobs" ("team_id")`);
    await q.query(`CREATE INDEX "idx_jobs_status" ON "jobs" ("status")`);
    await q.query(`CREATE INDEX "idx_jobs_provider" ON "jobs" ("provider")`);
    await q.query(`CREATE INDEX "idx_jobs_start_time" ON "jobs" ("start_time")`);
    await q.query(`DROP INDEX "idx_jobs_model_start_time"`);
    await q.query(`DROP INDEX "idx_jobs_provider_gpu_start_time"`);
    await q.query(`DROP INDEX "idx_jobs_status_start_time"`);
    await q.query(`DROP INDEX "idx_jobs_team_start_time"`);
    await q.query(`DROP INDEX "idx_jobs_start_time_job_id"`);
  }
}
