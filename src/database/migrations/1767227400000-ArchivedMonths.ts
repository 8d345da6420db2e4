import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `archived_months` (docs/allocation.md, "Archiving old months"): the months `npm run archive`
 * closed. A month is closed (its row exists) before its FOCUS rows are exported, exported (`file`
 * set) before any of its rows is deleted, and archived (`archived_at` set) once its job-days and
 * day sums are gone; a run that stopped half-way resumes from what the row says. Every day before
 * the month after the latest row is closed: refreshes and rebuilds leave those days alone and
 * writers may not change them.
 */
export class ArchivedMonths1767227400000 implements MigrationInterface {
  name = 'ArchivedMonths1767227400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "archived_months" (
        "month" date NOT NULL,
        "closed_at" timestamptz NOT NULL DEFAULT now(),
        "file" text,
        "exported_at" timestamptz,
        "job_day_rows" bigint NOT NULL DEFAULT 0,
        "day_sum_rows" bigint NOT NULL DEFAULT 0,
        "archived_at" timestamptz,
        CONSTRAINT "PK_archived_months" PRIMARY KEY ("month"),
        CONSTRAINT "CHK_archived_months_first_day" CHECK (extract(day FROM "month") = 1)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "archived_months"`);
  }
}
