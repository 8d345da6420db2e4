import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run ends in a terminal status even when its process dies or loses the database: `aborted`
 * (the client went away mid-upload) and `abandoned` (a sweep found it `running` with no live
 * owner). `owner` names the process that runs it and `heartbeat_at` is when that process last
 * said it was alive; the partial index keeps the sweep's scan to the runs still `running`.
 */
export class RunLiveness1767226700000 implements MigrationInterface {
  name = 'RunLiveness1767226700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ingestion_runs" DROP CONSTRAINT "CHK_ingestion_runs_status"`);
    await q.query(
      `ALTER TABLE "ingestion_runs" ADD CONSTRAINT "CHK_ingestion_runs_status"
         CHECK ("status" IN ('running','success','partial','failed','aborted','abandoned'))`,
    );
    await q.query(`ALTER TABLE "ingestion_runs" ADD "owner" text, ADD "heartbeat_at" timestamptz`);
    // Runs left `running` by earlier versions have no heartbeat: the first sweep abandons them.
    await q.query(
      `CREATE INDEX "idx_ingestion_runs_running_heartbeat" ON "ingestion_runs" ("heartbeat_at") WHERE "status" = 'running'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_ingestion_runs_running_heartbeat"`);
    await q.query(`ALTER TABLE "ingestion_runs" DROP COLUMN "heartbeat_at", DROP COLUMN "owner"`);
    await q.query(`UPDATE "ingestion_runs" SET "status" = 'failed' WHERE "status" IN ('aborted','abandoned')`);
    await q.query(`ALTER TABLE "ingestion_runs" DROP CONSTRAINT "CHK_ingestion_runs_status"`);
    await q.query(
      `ALTER TABLE "ingestion_runs" ADD CONSTRAINT "CHK_ingestion_runs_status"
         CHECK ("status" IN ('running','success','partial','failed'))`,
    );
  }
}
