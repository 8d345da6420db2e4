import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnApp, spawnNpmStart, waitForHealth } from './support/app-process';
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

/** The processes below a process (children, their children, ...), with their command names. */
function descendants(pid: number): { pid: number; command: string }[] {
  let lines: string[];
  try {
    lines = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n');
  } catch {
    return []; // ps exits 1 when there is no child at all
  }
  return lines
    .map((line) => line.trim().split(/\s+/))
    .map(([child, command]) => ({ pid: Number(child), command }))
    .flatMap((child) => [child, ...descendants(child.pid)]);
}

/** True while the process exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .startsWith('Z');
  } catch {
    return false;
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

  it('refuses to listen beyond loopback while the example secrets are in use, naming HOST', async () => {
    const app = await spawnApp({ HOST: '0.0.0.0', DATABASE_URL: 'postgres://unused@127.0.0.1:1/none' });
    const { code } = await app.exited;
    expect(code).toBe(1);
    expect(app.output()).toMatch(/^ {2}- HOST="0\.0\.0\.0": only a loopback address/m);
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

  it('stops the API and its embedded PostgreSQL within 10 s of a SIGTERM to the pid of `npm start`', async () => {
    // `npm start` as users run it, build step included. npm passes SIGTERM on to the one child it
    // started; the start script execs node, so that child is the API itself and not a shell.
    const dataDir = path.join(root, 'npm-start');
    const app = await spawnNpmStart({ EMBEDDED_DB_DIR: dataDir, EMBEDDED_DB_PORT: '0' });
    let api: number[] = [];
    let postgres: number[] = [];
    try {
      expect(await waitForHealth(app, 200_000)).toBe(200);
      // The API's node, whether npm started it directly or through a shell.
      api = descendants(app.child.pid!)
        .filter((p) => p.command === 'node')
        .map((p) => p.pid);
      postgres = postgresServing(dataDir);
      expect(api).toHaveLength(1);
      expect(postgres).toHaveLength(1);

      process.kill(app.child.pid!, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && [...api, ...postgres].some(isRunning)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect([...api, ...postgres].filter(isRunning)).toEqual([]);
      expect(postgresServing(dataDir)).toEqual([]);
      expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    } finally {
      // Whatever the outcome, leave nothing of this test running.
      for (const pid of [app.child.pid!, ...api, ...postgres]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 300_000);
});
