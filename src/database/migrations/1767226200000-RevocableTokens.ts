import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tokens a user holds stop working when the user changes. `token_version` is written into every
 * token and raised by each change of role, team or `disabled`; a token carrying an older number
 * is refused. A disabled user keeps its row (and history) but can neither log in nor use a token.
 */
export class RevocableTokens1767226200000 implements MigrationInterface {
  name = 'RevocableTokens1767226200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD "token_version" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "users" ADD "disabled" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP COLUMN "disabled"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "token_version"`);
  }
}
