import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { DATABASE_SESSION_OPTIONS } from '../src/database/session-options';
import { ALERT_BENCH_ENV } from './alert-figures';
import { ANOMALY_BENCH_ENV } from './anomaly-figures';
import { DatabaseHost } from './database-host';
import { BenchTeam } from './dataset';
import { HelioxClient } from './heliox-client';
import { REPO_ROOT, ServerProcess } from './processes';

/**
 * One API process from the production build on a database of its own, logged in as the admin,
 * plus a pool for the references that read the same database.
 */
export interface Stage {
  databaseUrl: string;
  api: ServerProcess;
  client: HelioxClient;
  /** For reference queries; sessions run in UTC so days are UTC days, with the API's settings otherwise. */
  pool: Pool;
  /** What the API runs with; `npm run allocation:rebuild` gets the same. */
  env: Record<string, string>;
}

const ADMIN_EMAIL = 'admin@heliox.ai';
const secret = () => randomBytes(24).toString('base64url');

/** Production settings with secrets of this run (production refuses the example ones). */
function apiEnvironment(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    JWT_SECRET: secret(),
    ADMIN_API_KEY: secret(),
    ADMIN_EMAIL,
    ADMIN_PASSWORD: secret(),
    // A million-job run outlasts the default hour.
    JWT_EXPIRES_IN: String(24 * 3600),
    // The load runs fire 50 connections under one token: the per-user read and export limits are
    // off so that the figures measure the API, and its counters stay in the process (no Redis).
    RATE_LIMIT_READS: '0',
    RATE_LIMIT_EXPORTS: '0',
    REDIS_URL: '',
    ...ANOMALY_BENCH_ENV,
    ...ALERT_BENCH_ENV,
  };
}

/**
 * Node's options of `npm start` (package.json), so that the API runs here as it runs in
 * production: `exec node <options> dist/src/main.js`.
 */
export function productionNodeArgs(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const match = /^exec node (.*?)\s*dist\/src\/main\.js$/.exec(manifest.scripts.start ?? '');
  if (!match) throw new Error(`package.json's start script is not "exec node [options] dist/src/main.js"`);
  return match[1].split(/\s+/).filter(Boolean);
}

export async function startStage(host: DatabaseHost, purpose: string): Promise<Stage> {
  const databaseUrl = await host.createDatabase(purpose);
  const env = apiEnvironment(databaseUrl);
  const api = await ServerProcess.start({
    name: `api-${purpose}`,
    script: path.join(REPO_ROOT, 'dist/src/main.js'),
    nodeArgs: productionNodeArgs(),
    env,
    readyPath: '/api/v1/health',
  });
  const client = new HelioxClient(api.baseUrl, env.ADMIN_API_KEY);
  await client.login(ADMIN_EMAIL, env.ADMIN_PASSWORD);
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 2,
    options: `${DATABASE_SESSION_OPTIONS} -c TimeZone=UTC`,
  });
  pool.on('error', () => undefined); // an idle client's lost connection; queries report their own
  return { databaseUrl, api, client, pool, env };
}

/** Teams (with their budgets) and the cost snapshots, before any job arrives. */
export async function seedStage(stage: Stage, teams: BenchTeam[], costsNdjson: string): Promise<void> {
  await stage.client.ingestJson('jobs', { teams, jobs: [] });
  await stage.client.ingestFile('costs', costsNdjson, 'application/x-ndjson');
}

/** Brings planner statistics and the visibility map up to date, as autovacuum would in steady state. */
export async function settle(stage: Stage): Promise<void> {
  await stage.pool.query('VACUUM ANALYZE');
}

export async function stopStage(host: DatabaseHost, stage: Stage): Promise<void> {
  await stage.pool.end();
  await stage.api.stop();
  await host.dropDatabase(stage.databaseUrl);
}
