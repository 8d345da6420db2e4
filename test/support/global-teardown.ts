import { rmSync } from 'node:fs';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { PREFIX_ENV, TEMPLATE_ENV, withAdminClient } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __HELIOX_EMBEDDED__?: EmbeddedPostgres }).__HELIOX_EMBEDDED__;
  if (embedded) {
    await embedded.stop();
    const root = (globalThis as { __HELIOX_TEST_ROOT__?: string }).__HELIOX_TEST_ROOT__;
    if (root) rmSync(root, { recursive: true, force: true });
    return;
  }
  // On an external server, remove what this run created (suites drop their own on success).
  await withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2`,
      [process.env[PREFIX_ENV], process.env[TEMPLATE_ENV]],
    );
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
