import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cell mark may cover a run of days (`day` … `last_day`) of one provider and GPU type: a bulk
 * load marks each batch's cells as a few runs instead of a row per cell (docs/allocation.md,
 * "Marks"). Null `last_day`: the one day, as every mark was before.
 */
export class DirtyCellRuns1767227500000 implements MigrationInterface {
  name = 'DirtyCellRuns1767227500000';

  async up(q: QueryRunner): Promise<void> {
    // The refresh merges these runs with range_agg (PostgreSQL 14): an older server is refused
    // here, by name, rather than by the first refresh after a bulk load.
    const [{ version, num }] = (await q.query(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num`,
    )) as { version: string; num: string }[];
    if (Number(num) < 140000) {
      throw new Error(`Heliox needs PostgreSQL 14 or later; the server at DATABASE_URL runs ${version}`);
    }
    await q.query(`ALTER TABLE "allocation_dirty_cells" ADD "last_day" date`);
    await q.query(
      `ALTER TABLE "allocation_dirty_cells" ADD CONSTRAINT "CHK_allocation_dirty_cells_run" CHECK ("last_day" >= "day")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // A run becomes a mark a day again, so that no pending refresh is lost.
    await q.query(`
      INSERT INTO "allocation_dirty_cells" ("day", "provider", "gpu_type", "recompute", "marked_at")
      SELECT d::date, m."provider", m."gpu_type", m."recompute", m."marked_at"
      FROM "allocation_dirty_cells" m
      CROSS JOIN LATERAL generate_series(m."day" + 1, m."last_day", interval '1 day') AS d
      WHERE m."last_day" > m."day"`);
    await q.query(`ALTER TABLE "allocation_dirty_cells" DROP CONSTRAINT "CHK_allocation_dirty_cells_run"`);
    await q.query(`ALTER TABLE "allocation_dirty_cells" DROP COLUMN "last_day"`);
  }
}
