import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Each e2e suite gets its own database, copied from a migrated template that the global setup
 * builds once; suites are independent and can run in any order or in parallel.
 */
export const TEMPLATE_ENV = 'HELIOX_TEST_TEMPLATE_DB';
export const SERVER_ENV = 'HELIOX_TEST_SERVER_URL';
/** Suite databases of one run share a prefix, so teardown removes only its own. */
export const PREFIX_ENV = 'HELIOX_TEST_DB_PREFIX';

export function serverUrl(database = 'postgres'): string {
  const base = process.env[SERVER_ENV];
  if (!base) throw new Error(`${SERVER_ENV} is unset: e2e suites need the e2e global setup`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createSuiteDatabase(): Promise<{ name: string; url: string }> {
  const template = process.env[TEMPLATE_ENV];
  const name = `${process.env[PREFIX_ENV]}${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return { name, url: serverUrl(name) };
}

export async function dropSuiteDatabase(name: string): Promise<void> {
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
