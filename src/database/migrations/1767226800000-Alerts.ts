import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts (docs/decisions.md, "Alerts"): channels, rules, the events that fired, the outbox of
 * their deliveries, and the days whose allocation changed since alerts last evaluated them.
 * `UQ_alert_events_once` is what makes each (rule, team, period, threshold or cell) fire once;
 * the partial index keeps the delivery workers' poll to the rows still pending.
 */
export class Alerts1767226800000 implements MigrationInterface {
  name = 'Alerts1767226800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "alert_channels" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "kind" text NOT NULL,
        "url" text NOT NULL,
        "secret" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_alert_channels" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_alert_channels_kind" CHECK ("kind" IN ('webhook','slack'))
      )`);
    await q.query(`
      CREATE TABLE "alert_rules" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "kind" text NOT NULL,
        "thresholds_pct" integer array NOT NULL,
        "team_id" uuid,
        "channel_id" uuid NOT NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_alert_rules" PRIMARY KEY ("id"),
        CONSTRAINT "FK_alert_rules_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_alert_rules_channel" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_alert_rules_kind" CHECK ("kind" IN ('budget_actual','budget_forecast','anomaly'))
      )`);
    await q.query(`CREATE INDEX "idx_alert_rules_team_id" ON "alert_rules" ("team_id")`);
    await q.query(`CREATE INDEX "idx_alert_rules_channel_id" ON "alert_rules" ("channel_id")`);
    await q.query(`
      CREATE TABLE "alert_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "rule_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "team_id" uuid NOT NULL,
        "period" text NOT NULL,
        "subject" text NOT NULL,
        "threshold_pct" integer,
        "provider" text,
        "gpu_type" text,
        "value_usd" numeric(14,2) NOT NULL,
        "budget_usd" numeric(14,2),
        "expected_usd" numeric(14,2),
        "message" text NOT NULL,
        "fired_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_alert_events" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_alert_events_once" UNIQUE ("rule_id", "team_id", "period", "subject"),
        CONSTRAINT "FK_alert_events_rule" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_alert_events_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "idx_alert_events_team_id" ON "alert_events" ("team_id")`);
    await q.query(`CREATE INDEX "idx_alert_events_fired_at" ON "alert_events" ("fired_at")`);
    await q.query(`
      CREATE TABLE "alert_deliveries" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "event_id" uuid NOT NULL,
        "channel_id" uuid NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz DEFAULT now(),
        "last_error" text,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_alert_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "FK_alert_deliveries_event" FOREIGN KEY ("event_id") REFERENCES "alert_events"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_alert_deliveries_channel" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE,
        CONSTRAINT "CHK_alert_deliveries_status" CHECK ("status" IN ('pending','delivered','dead'))
      )`);
    await q.query(`CREATE INDEX "idx_alert_deliveries_event_id" ON "alert_deliveries" ("event_id")`);
    await q.query(`CREATE INDEX "idx_alert_deliveries_channel_id" ON "alert_deliveries" ("channel_id")`);
    await q.query(`CREATE INDEX "idx_alert_deliveries_created_at" ON "alert_deliveries" ("created_at")`);
    await q.query(
      `CREATE INDEX "idx_alert_deliveries_due" ON "alert_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await q.query(`
      CREATE TABLE "alert_pending_days" (
        "day" date NOT NULL,
        "marked_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT "PK_alert_pending_days" PRIMARY KEY ("day")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "alert_pending_days"`);
    await q.query(`DROP TABLE "alert_deliveries"`);
    await q.query(`DROP TABLE "alert_events"`);
    await q.query(`DROP TABLE "alert_rules"`);
    await q.query(`DROP TABLE "alert_channels"`);
  }
}
