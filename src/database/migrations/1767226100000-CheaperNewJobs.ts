import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes a day of new jobs cheap to write and to allocate.
 *
 * New jobs get time-ordered ids (RFC 9562 version 7: 48 bits of Unix milliseconds, then random
 * bits) instead of random ones. A random id lands on a random page of `jobs`' primary key and of
 * the job-day key (day, provider, gpu_type, job_id): a day of new jobs then reads and dirties a
 * page per job in indexes of a million entries, each page logged whole after a checkpoint. With
 * time-ordered ids they append to the right-hand end. PostgreSQL 18 has `uuidv7()`; this is the
 * same layout for the versions before it. Existing ids stay as they are.
 *
 * A job mark says whether the job is new (`new_job`): a new job has no job-day rows yet, so the
 * refresh looks for none to remove. Marks written before this migration count as changes.
 */
export class CheaperNewJobs1767226100000 implements MigrationInterface {
  name = 'CheaperNewJobs1767226100000';

  async up(q: QueryRunner): Promise<void> {
    // A version-4 UUID with its first 48 bits replaced by the time and its version nibble 4 → 7
    // (bits 52 and 53 set); the variant bits stay as they are. One SELECT without FROM: the
    // planner inlines it into the INSERT that uses the default.
    await q.query(`
      CREATE FUNCTION "heliox_uuid_v7"() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
        SELECT encode(
          set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
          'hex')::uuid
      $$`);
    await q.query(`ALTER TABLE "jobs" ALTER COLUMN "id" SET DEFAULT heliox_uuid_v7()`);
    await q.query(`ALTER TABLE "allocation_dirty_jobs" ADD "new_job" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocation_dirty_jobs" DROP COLUMN "new_job"`);
    await q.query(`ALTER TABLE "jobs" ALTER COLUMN "id" SET DEFAULT gen_random_uuid()`);
    await q.query(`DROP FUNCTION "heliox_uuid_v7"()`);
  }
}
