import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { jobPayload } from './support/factories';
import { PROJECT_ROOT, runOperatorCommand } from './support/operator-command';
import { createSuiteDatabase, dropSuiteDatabase } from './support/test-database';

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

    const jobsRun = await runOperatorCommand('src/ingestion/ingest.cli', [jobs], env);
    expect(jobsRun).toEqual(expect.objectContaining({ code: 0 }));
    expect(jobsRun.stdout).toContain('"inserted": 2');
    const costsRun = await runOperatorCommand('src/ingestion/ingest.cli', [costs, '--kind', 'costs'], env);
    expect(costsRun).toEqual(expect.objectContaining({ code: 0 }));

    const allocated = async () =>
      (await db.query<{ usd: string }>(`SELECT sum(cost_usd)::text AS usd FROM allocation_team_days`)).rows[0].usd;
    expect(Number(await allocated())).toBe(100);
    const rebuild = await runOperatorCommand('src/allocation/rebuild.cli', [], env);
    expect(rebuild).toEqual(expect.objectContaining({ code: 0 }));
    expect(Number(await allocated())).toBe(100);
  }, 300_000);
});

/**
 * Where `scripts/run-entry.cjs` finds a command: a checkout runs the TypeScript source, the
 * Docker image (dist/ and production dependencies only) the compiled file. Each case lays out a
 * project of its own with a command that says which file ran.
 */
describe('scripts/run-entry.cjs: the operators’ commands in a checkout and in the image', () => {
  const COMMAND = 'src/tool/say.cli';
  /** A command that prints which file ran (`kind`, an expression), whether as the main module, and its arguments. */
  const say = (kind: string) =>
    `console.log([${kind}, require.main === module ? 'main' : 'not main', ...process.argv.slice(2)].join(' '));`;

  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  function project(files: { source?: boolean; compiled?: boolean; devDependencies?: boolean }): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'heliox-entry-'));
    roots.push(root);
    mkdirSync(path.join(root, 'scripts'));
    copyFileSync(path.join(PROJECT_ROOT, 'scripts/run-entry.cjs'), path.join(root, 'scripts/run-entry.cjs'));
    copyFileSync(path.join(PROJECT_ROOT, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
    if (files.source) {
      mkdirSync(path.join(root, 'src/tool'), { recursive: true });
      // A type annotation: plain Node could not load this file.
      writeFileSync(path.join(root, `${COMMAND}.ts`), `const kind: string = 'source';\n${say('kind')}\n`);
    }
    if (files.compiled) {
      mkdirSync(path.join(root, 'dist/src/tool'), { recursive: true });
      writeFileSync(path.join(root, `dist/${COMMAND}.js`), `${say("'compiled'")}\n`);
    }
    if (files.devDependencies) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
    return root;
  }

  it('runs the TypeScript source in a checkout, even when an older build is there', async () => {
    const root = project({ source: true, compiled: true, devDependencies: true });
    const run = await runOperatorCommand(COMMAND, ['--flag', 'value'], {}, root);
    expect(run).toEqual(expect.objectContaining({ code: 0, stdout: 'source main --flag value\n' }));
  });

  it('runs the compiled file where the image has no source', async () => {
    const run = await runOperatorCommand(COMMAND, ['x'], {}, project({ compiled: true, devDependencies: true }));
    expect(run).toEqual(expect.objectContaining({ code: 0, stdout: 'compiled main x\n' }));
  });

  it('runs the compiled file where the development dependencies are not installed', async () => {
    const run = await runOperatorCommand(COMMAND, [], {}, project({ source: true, compiled: true }));
    expect(run).toEqual(expect.objectContaining({ code: 0, stdout: 'compiled main\n' }));
  });

  it('says what is missing when it can run neither', async () => {
    const run = await runOperatorCommand(COMMAND, [], {}, project({ source: true }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'ts-node is not installed (npm ci installs it) and dist/src/tool/say.cli.js is not built',
    );
  });
});
