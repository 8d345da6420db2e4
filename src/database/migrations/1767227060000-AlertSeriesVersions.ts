import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_series_days`: which write of each day's anomaly series (alert_team_cell_days) is the
 * latest, as the id of the transaction that re-summed it. An evaluation keeps the series it has
 * read and reads again only the days whose version moved (TeamCellDays), in whichever process
 * re-summed them.
 */
export class AlertSeriesVersions1767227060000 implements MigrationInterface {
  name = 'AlertSeriesVersions1767227060000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "alert_series_days" (
        "day" date NOT NULL,
        "version" bigint NOT NULL,
        CONSTRAINT "PK_alert_series_days" PRIMARY KEY ("day")
      )`);
    await q.query(
      `INSERT INTO "alert_series_days" ("day", "version") SELECT DISTINCT "day", txid_current() FROM "alert_team_cell_days"`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "alert_series_days"`);
  }
}
