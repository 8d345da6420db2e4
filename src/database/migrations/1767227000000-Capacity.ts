import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Capacity and idle (docs/allocation.md, "Capacity and idle").
 *
 * `capacities`: the GPUs an admin declares reserved per provider × GPU type over a period of UTC
 * days (`to_date` null: open-ended, both ends included). Periods of one provider × GPU type never
 * overlap: an exclusion constraint says so, so two concurrent writers cannot both succeed
 * (`btree_gist` lets a GiST index compare the text columns with `=`; it is a trusted extension, so
 * the database owner may create it).
 *
 * The allocation tables learn what capacity does to a cell: which period priced it (its id, its
 * GPU-hours a day, its owner team), and `share_rate`, the snapshot ÷ the GPU-hours used — the rate
 * of `idle=share`, and the rate of every cell before capacity existed. The day tables keep the
 * idle those shares add (`idle_share_usd`), so that `idle=share` reads no job-days. Existing cells
 * have no capacity: their share rate is their rate and their idle share 0.
 */
export class Capacity1767227000000 implements MigrationInterface {
  name = 'Capacity1767227000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE "capacities" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "provider" text NOT NULL,
        "gpu_type" text NOT NULL,
        "gpu_count" numeric NOT NULL,
        "from_date" date NOT NULL,
        "to_date" date,
        "owner_team_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_capacities" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_capacities_gpu_count_positive" CHECK ("gpu_count" > 0),
        CONSTRAINT "CHK_capacities_period" CHECK ("to_date" IS NULL OR "to_date" >= "from_date"),
        CONSTRAINT "FK_capacities_owner_team" FOREIGN KEY ("owner_team_id") REFERENCES "teams"("id") ON DELETE RESTRICT,
        CONSTRAINT "XCL_capacities_no_overlap" EXCLUDE USING gist
          ("provider" WITH =, "gpu_type" WITH =, daterange("from_date", "to_date", '[]') WITH &&)
      )`);
    await q.query(`CREATE INDEX "idx_capacities_owner_team_id" ON "capacities" ("owner_team_id")`);

    await q.query(`
      ALTER TABLE "allocation_cells"
        ADD "capacity_id" uuid,
        ADD "capacity_gpu_hours" numeric,
        ADD "owner_team_id" uuid,
        ADD "share_rate" numeric NOT NULL DEFAULT 0`);
    await q.query(`UPDATE "allocation_cells" SET "share_rate" = "rate"`);
    await q.query(`ALTER TABLE "allocation_cells" ALTER COLUMN "share_rate" DROP DEFAULT`);
    for (const table of ['allocation_team_days', 'allocation_model_days', 'allocation_team_model_days']) {
      await q.query(`ALTER TABLE "${table}" ADD "idle_share_usd" numeric NOT NULL DEFAULT 0`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['allocation_team_days', 'allocation_model_days', 'allocation_team_model_days']) {
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "idle_share_usd"`);
    }
    await q.query(`
      ALTER TABLE "allocation_cells"
        DROP COLUMN "capacity_id", DROP COLUMN "capacity_gpu_hours", DROP COLUMN "owner_team_id", DROP COLUMN "share_rate"`);
    await q.query(`DROP TABLE "capacities"`);
  }
}
