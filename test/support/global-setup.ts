import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { PREFIX_ENV, SERVER_ENV, serverUrl, TEMPLATE_ENV, withAdminClient } from './test-database';

/**
 * Starts the database server of the e2e run (DATABASE_URL's server, or an embedded PostgreSQL in
 * a temp dir) and migrates one template database that every suite copies.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env[SERVER_ENV] = process.env.DATABASE_URL;
  } else {
    // World-traversable, so that the server's OS user (as root: `postgres`) can reach its data.
    const root = mkdtempSync(path.join(tmpdir(), 'heliox-test-'));
    chmodSync(root, 0o755);
    (globalThis as { __HELIOX_TEST_ROOT__?: string }).__HELIOX_TEST_ROOT__ = root;
    const embedded = await EmbeddedPostgres.start({
      dataDir: path.join(root, 'pg'),
      port: 0,
      persistent: false,
      fast: true,
    });
    (globalThis as { __HELIOX_EMBEDDED__?: EmbeddedPostgres }).__HELIOX_EMBEDDED__ = embedded;
    process.env[SERVER_ENV] = embedded.urlFor('postgres');
  }
  // Suites must never touch the server's own databases: DATABASE_URL is set per suite.
  delete process.env.DATABASE_URL;

  const template = `heliox_template_${process.pid}`;
  process.env[TEMPLATE_ENV] = template;
  process.env[PREFIX_ENV] = `heliox_test_${process.pid}_`;
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${template}"`);
  });
  const dataSource = new DataSource(dataSourceOptions(serverUrl(template), { DB_POOL_SIZE: 2 }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
