import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { jobPayload } from './support/factories';
import { createSuiteDatabase, dropSuiteDatabase } from './support/test-database';

const ROOT = path.resolve(__dirname, '..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the operators' commands as `npm run …` does, with only the given environment. */
function runCli(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', ...env },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('Operators’ commands (npm run ingest, npm run allocation:rebuild)', () => {
  let database: { name: string; url: string };
  let db: Client;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heliox-cli-'));

  beforeAll(async () => {
    database = await createSuiteDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await dropSuiteDatabase(database.name);
  });

  it('ingests a jobs file and a costs file, then rebuilds the allocation to the same totals', async () => {
    const jobs = path.join(dir, 'jobs.ndjson');
    const costs = path.join(dir, 'costs.ndjson');
    writeFileSync(
      jobs,
      ['cli-1', 'cli-2']
        .map((job_id) =>
          JSON.stringify(
            jobPayload({
              job_id,
              gpu_type: 'cli-gpu',
              start_time: '2026-05-04T00:00:00Z',
              end_time: '2026-05-04T12:00:00Z',
            }),
          ),
        )
        .join('\n'),
    );
    writeFileSync(
      costs,
      JSON.stringify({ entry_date: '2026-05-04', provider: 'aws', gpu_type: 'cli-gpu', cost_usd: 100 }),
    );
    const env = { DATABASE_URL: database.url, LOG_LEVEL: 'warn' };

    const jobsRun = await runCli('src/ingestion/ingest.cli.ts', [jobs], env);
    expect(jobsRun).toEqual(expect.objectContaining({ code: 0 }));
    expect(jobsRun.stdout).toContain('"inserted": 2');
    const costsRun = await runCli('src/ingestion/ingest.cli.ts', [costs, '--kind', 'costs'], env);
    expect(costsRun).toEqual(expect.objectContaining({ code: 0 }));

    const allocated = async () =>
      (await db.query<{ usd: string }>(`SELECT sum(cost_usd)::text AS usd FROM allocation_team_days`)).rows[0].usd;
    expect(Number(await allocated())).toBe(100);
    const rebuild = await runCli('src/allocation/rebuild.cli.ts', [], env);
    expect(rebuild).toEqual(expect.objectContaining({ code: 0 }));
    expect(Number(await allocated())).toBe(100);
  }, 300_000);
});
