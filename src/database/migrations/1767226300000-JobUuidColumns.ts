import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * In `jobs`, `job_id` is the caller's text id; the allocation tables used the same name for the
 * job's uuid (`jobs.id`), and a reader joining the two could not tell them apart. The uuid
 * columns are now `job_uuid`. A rename changes only the catalog: no row is rewritten.
 */
export class JobUuidColumns1767226300000 implements MigrationInterface {
  name = 'JobUuidColumns1767226300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "job_day_allocations" RENAME COLUMN "job_id" TO "job_uuid"`);
    await q.query(`ALTER TABLE "allocation_dirty_jobs" RENAME COLUMN "job_id" TO "job_uuid"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocation_dirty_jobs" RENAME COLUMN "job_uuid" TO "job_id"`);
    await q.query(`ALTER TABLE "job_day_allocations" RENAME COLUMN "job_uuid" TO "job_id"`);
  }
}
