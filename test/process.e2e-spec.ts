import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnApp, waitForHealth } from './support/app-process';
import { createSuiteDatabase, dropSuiteDatabase } from './support/test-database';

/** PIDs of PostgreSQL servers whose command line names this data directory. */
function postgresServing(dataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dataDir}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
}

function childCommands(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return ''; // ps exits 1 when there is no child at all
  }
}

describe('The API as a process', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'heliox-proc-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses to boot on a bad variable, naming it in a plain message without a stack', async () => {
    const app = await spawnApp({ PORT: 'abc' });
    const { code } = await app.exited;
    expect(code).toBe(1);
    expect(app.output()).toMatch(/^Invalid configuration:\n {2}- PORT="abc"/m);
    expect(app.output()).not.toMatch(/^\s+at /m);
  });

  it('refuses to boot in production with the example secrets, naming each', async () => {
    const app = await spawnApp({ NODE_ENV: 'production', DATABASE_URL: 'postgres://unused@127.0.0.1:1/none' });
    const { code } = await app.exited;
    expect(code).toBe(1);
    for (const name of ['JWT_SECRET', 'ADMIN_API_KEY', 'ADMIN_PASSWORD']) expect(app.output()).toContain(name);
  });

  it('with DATABASE_URL, uses that server and embeds nothing', async () => {
    const db = await createSuiteDatabase();
    const app = await spawnApp({ DATABASE_URL: db.url });
    try {
      expect(await waitForHealth(app)).toBe(200);
      expect(childCommands(app.child.pid!)).not.toMatch(/postgres/);
      expect(app.output()).not.toMatch(/Embedded PostgreSQL/);
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      await dropSuiteDatabase(db.name);
    }
  });

  it('without DATABASE_URL, runs an embedded server that SIGTERM stops, keeping the data for the next start', async () => {
    const dataDir = path.join(root, 'embedded');
    const env = { EMBEDDED_DB_DIR: dataDir, EMBEDDED_DB_PORT: '0' };
    const first = await spawnApp(env);
    expect(await waitForHealth(first)).toBe(200);
    expect(postgresServing(dataDir)).toHaveLength(1);

    first.child.kill('SIGTERM');
    await first.exited;
    expect(postgresServing(dataDir)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    const second = await spawnApp(env);
    expect(await waitForHealth(second)).toBe(200);
    second.child.kill('SIGTERM');
    await second.exited;
    expect(postgresServing(dataDir)).toEqual([]);
  });

  it('recovers after a kill -9 left an orphaned server and a postmaster.pid behind', async () => {
    const dataDir = path.join(root, 'crashed');
    const env = { EMBEDDED_DB_DIR: dataDir, EMBEDDED_DB_PORT: '0' };
    const crashed = await spawnApp(env);
    expect(await waitForHealth(crashed)).toBe(200);
    crashed.child.kill('SIGKILL');
    await crashed.exited;

    const next = await spawnApp(env);
    expect(await waitForHealth(next)).toBe(200);
    expect(postgresServing(dataDir)).toHaveLength(1);
    next.child.kill('SIGTERM');
    await next.exited;
    expect(postgresServing(dataDir)).toEqual([]);
  });
});
