import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { API_KEY, jobPayload } from './support/factories';
import { PostgresProcess } from './support/postgres-process';
import { createTestApp, TestApp } from './support/test-app';
import { BATCH_SIZE } from '../src/ingestion/batch-pipeline';

// Long enough that the short outage (a restart takes about 2 s) stays well inside it.
const LEASE_SECONDS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The fault test: the app's PostgreSQL server is really stopped (fast shutdown) in the middle of
 * a streamed upload and started again on the same data and port. The suite runs its own
 * PostgreSQL for that (the shared test server is not to be stopped), from the embedded binaries,
 * in a child process.
 */
describe('Ingestion: PostgreSQL stopped mid-upload and restarted', () => {
  let root: string;
  let port: number;
  let pg: PostgresProcess;
  let t: TestApp;
  let httpPort: number;

  const startServer = () => PostgresProcess.start(path.join(root, 'pg'), port);

  beforeAll(async () => {
    // World-traversable, so that the server's OS user (as root: `postgres`) can reach its data.
    root = mkdtempSync(path.join(tmpdir(), 'heliox-fault-'));
    chmodSync(root, 0o755);
    port = await freePort();
    pg = await startServer();
    // Runs that an earlier process left `running` before this one boots: one whose process last
    // said it was alive an hour ago, one from before runs had a heartbeat.
    const setup = new DataSource(dataSourceOptions(pg.url, { DB_POOL_SIZE: 1 }));
    await setup.initialize();
    await setup.runMigrations();
    await setup.query(
      `INSERT INTO ingestion_runs (kind, source, status, owner, heartbeat_at) VALUES
         ('jobs', 'left-behind', 'running', 'gone-host:1:deadbeef', now() - interval '1 hour'),
         ('costs', 'left-behind', 'running', NULL, NULL)`,
    );
    await setup.destroy();

    t = await createTestApp({
      DATABASE_URL: pg.url,
      INGEST_RUN_LEASE_SECONDS: String(LEASE_SECONDS),
      INGEST_RUN_SWEEP_SECONDS: '1',
    });
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    httpPort = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Streams NDJSON lines, calling `fault` (awaited) after `faultAfter` lines; resolves with the answer. */
  function upload(prefix: string, lines: number, faultAfter: number, fault: () => Promise<void>) {
    return new Promise<{ status: number; body: { run_id?: string } }>((resolve, reject) => {
      const req = http.request(
        {
          port: httpPort,
          method: 'POST',
          path: '/api/v1/admin/ingest/jobs',
          headers: { 'Content-Type': 'application/x-ndjson', 'X-API-Key': API_KEY },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', () => undefined); // the server may hang up once it has answered
      (async () => {
        for (let i = 0; i < lines && !req.destroyed; i++) {
          if (i === faultAfter) {
            await sleep(1_500); // the full batches so far reach the writers
            await fault();
          }
          if (!req.write(JSON.stringify(jobPayload({ job_id: `${prefix}-${String(i).padStart(6, '0')}` })) + '\n')) {
            await new Promise((r) => req.once('drain', r));
          }
        }
        req.end();
      })().catch(reject);
    });
  }

  const runs = () =>
    t.db.query<
      { id: string; source: string; status: string; message: string; counts: { records?: { inserted: number } } }[]
    >(`SELECT id, source, status, message, counts FROM ingestion_runs ORDER BY started_at`);

  /** Polls until no run is `running`, for at most `ms`. */
  async function noneRunning(ms: number) {
    const deadline = Date.now() + ms;
    let all = await runs();
    while (all.some((r) => r.status === 'running') && Date.now() < deadline) {
      await sleep(250);
      all = await runs().catch(() => all);
    }
    return all;
  }

  const committed = async (prefix: string) =>
    (await t.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM jobs WHERE job_id LIKE $1`, [`${prefix}-%`]))[0]
      .n;

  it('at boot, marks abandoned the runs an earlier process left running', async () => {
    const left = (await runs()).filter((r) => r.source === 'left-behind');
    expect(left.map((r) => r.status)).toEqual(['abandoned', 'abandoned']);
  });

  it('down for longer than the lease: answers 503, keeps whole batches, and the run ends abandoned, none left running', async () => {
    // The 503 can come while the server is still shutting down, before `pg.stop()` resolves:
    // the outage is timed from the end of that promise, set as the fault begins.
    let stopped: Promise<number> | undefined;
    const answer = await upload('long', 30_000, 12_000, async () => {
      stopped = pg.stop().then(() => Date.now());
      await stopped;
    });
    expect(answer).toMatchObject({ status: 503 }); // the body says why, should it not be
    const stoppedAt = await stopped!;
    // Down past the lease: the process gives up closing the run itself.
    await sleep(Math.max(0, stoppedAt + LEASE_SECONDS * 1_000 + 2_000 - Date.now()));
    pg = await startServer();

    const all = await noneRunning(LEASE_SECONDS * 1_000 + 10_000);
    expect(all.filter((r) => r.status === 'running')).toEqual([]);
    const run = all.filter((r) => r.source === 'http:ndjson').at(-1)!;
    expect(run.status).toBe('abandoned');
    expect((await committed('long')) % BATCH_SIZE).toBe(0);
  });

  it('down for less than the lease: the run ends failed, through a new connection, with the counts it committed', async () => {
    // Set as the fault begins: the 503 can come while the server is still shutting down, and the
    // test must not query it before it is back.
    let restarted: Promise<void> | undefined;
    const answer = await upload('short', 30_000, 12_000, async () => {
      const stopped = pg.stop();
      // Back at once: the run's process is still retrying to close it.
      restarted = stopped.then(startServer).then((server) => void (pg = server));
      await stopped;
    });
    expect(answer).toMatchObject({ status: 503 }); // the body says why, should it not be
    expect(restarted).toBeDefined();
    await restarted;

    const all = await noneRunning(LEASE_SECONDS * 1_000 + 10_000);
    expect(all.filter((r) => r.status === 'running')).toEqual([]);
    const run = all.filter((r) => r.source === 'http:ndjson').at(-1)!;
    expect(run).toMatchObject({ status: 'failed', message: expect.stringMatching(/database became unavailable/) });
    const jobs = await committed('short');
    expect(jobs % BATCH_SIZE).toBe(0);
    expect(run.counts.records?.inserted).toBe(jobs);
  });
});
