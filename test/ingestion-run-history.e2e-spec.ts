import { Logger } from '@nestjs/common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { AppProcess, spawnApp, waitForHealth } from './support/app-process';
import { API_KEY, jobPayload } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

const LEASE_SECONDS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Ingestion run history: every run ends in a terminal status', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ INGEST_RUN_LEASE_SECONDS: String(LEASE_SECONDS), INGEST_RUN_SWEEP_SECONDS: '1' });
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const runById = async (id: string) =>
    (await t.db.query<Record<string, unknown>[]>(`SELECT * FROM ingestion_runs WHERE id = $1`, [id]))[0];
  const latestRun = async (source: string) =>
    (
      await t.db.query<Record<string, unknown>[]>(
        `SELECT * FROM ingestion_runs WHERE source = $1 ORDER BY started_at DESC LIMIT 1`,
        [source],
      )
    )[0];

  /** Polls until `read` gives a value `done` accepts, for at most `ms`. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    let value = await read();
    while (!done(value) && Date.now() < deadline) {
      await sleep(200);
      value = await read();
    }
    return value;
  }

  /** Opens an NDJSON upload that the test writes to line by line. */
  function openUpload(path = '/api/v1/admin/ingest/jobs') {
    let settle: (r: { status: number; body: string }) => void = () => undefined;
    const answered = new Promise<{ status: number; body: string }>((resolve) => (settle = resolve));
    const req = http.request(
      { port, method: 'POST', path, headers: { 'Content-Type': 'application/x-ndjson', 'X-API-Key': API_KEY } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => settle({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', () => settle({ status: 0, body: '' }));
    const write = async (line: string) => {
      if (!req.write(line + '\n')) await new Promise((r) => req.once('drain', r));
    };
    return { req, write, answered };
  }

  it('records a client that hangs up mid-upload as aborted, with the rows it committed, logged as a client abort and counted as 499, not 503', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const errors = jest.spyOn(Logger.prototype, 'error');
    const upload = openUpload();
    for (let i = 0; i < 12_000; i++) await upload.write(JSON.stringify(jobPayload({ job_id: `gone-${i}` })));
    // Let the full batches reach the writers, then vanish mid-stream.
    await sleep(1_500);
    upload.req.destroy();

    const run = await eventually(
      () => latestRun('http:ndjson'),
      (r) => r?.status !== 'running',
    );
    const [{ jobs }] = await t.db.query(`SELECT count(*)::int AS jobs FROM jobs WHERE job_id LIKE 'gone-%'`);
    expect(run).toMatchObject({ status: 'aborted', message: expect.stringMatching(/client closed the connection/) });
    expect(jobs).toBeGreaterThan(0);
    expect((run.counts as { records: { inserted: number } }).records.inserted).toBe(jobs);

    expect(warnings.mock.calls.some(([, message]) => /client aborted/.test(String(message)))).toBe(true);
    expect(errors.mock.calls.filter(([, message]) => /ingest\/jobs/.test(String(message)))).toEqual([]);
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    const ingestLines = metrics.split('\n').filter((l) => /^http_requests_total\{.*ingest\/jobs"/.test(l));
    expect(ingestLines.some((l) => l.includes('status="499"'))).toBe(true);
    expect(ingestLines.some((l) => l.includes('status="503"'))).toBe(false);
  });

  it('closes a run whose record errors quote text PostgreSQL cannot store (a NUL), instead of leaving it running', async () => {
    const upload = openUpload();
    await upload.write(JSON.stringify({ ...jobPayload({ job_id: 'nul-key' }), 'evil\u0000key': 1 }));
    await upload.write(JSON.stringify(jobPayload({ job_id: 'nul-neighbour' })));
    upload.req.end();
    const answer = await upload.answered;
    expect(answer.status).toBeLessThan(500);
    const run = await runById(JSON.parse(answer.body).run_id as string);
    expect(run.status).toBe('partial');
    expect(run.finished_at).not.toBeNull();
    expect(JSON.stringify(run.errors)).not.toContain('\\u0000');
  });

  it('marks abandoned a run left running by a process that stopped heartbeating, and only once its lease lapsed', async () => {
    // Another process' run: it heartbeats for a while (twice the lease), then dies.
    const [{ id }] = await t.db.query(
      `INSERT INTO ingestion_runs (kind, source, status, owner, heartbeat_at)
       VALUES ('jobs', 'elsewhere', 'running', 'other-host:42:cafebabe', now()) RETURNING id`,
    );
    const alive = Date.now() + LEASE_SECONDS * 2_000;
    while (Date.now() < alive) {
      await t.db.query(`UPDATE ingestion_runs SET heartbeat_at = now() WHERE id = $1`, [id]);
      expect((await runById(id)).status).toBe('running');
      await sleep(500);
    }
    const died = Date.now();
    const run = await eventually(
      () => runById(id),
      (r) => r.status !== 'running',
    );
    expect(run).toMatchObject({ status: 'abandoned', message: expect.stringMatching(/^Abandoned/) });
    expect(run.finished_at).not.toBeNull();
    expect(Date.now() - died).toBeGreaterThanOrEqual(LEASE_SECONDS * 1_000 - 500);
  });

  describe('with a second API process on the same database', () => {
    let other: AppProcess;
    beforeAll(async () => {
      other = await spawnApp({
        DATABASE_URL: t.databaseUrl,
        INGEST_RUN_LEASE_SECONDS: String(LEASE_SECONDS),
        INGEST_RUN_SWEEP_SECONDS: '1',
        LOG_LEVEL: 'warn',
      });
      expect(await waitForHealth(other)).toBe(200);
    });
    afterAll(async () => {
      if (other.child.exitCode === null && other.child.signalCode === null) other.child.kill('SIGTERM');
      await other.exited;
    });

    it("does not abandon this process' slow upload, which heartbeats past the lease, and this process closes it with its real outcome", async () => {
      const earlier = (await t.db.query<{ id: string }[]>(`SELECT id FROM ingestion_runs`)).map((r) => r.id);
      const upload = openUpload();
      const until = Date.now() + LEASE_SECONDS * 2_000;
      let i = 0;
      let runId: string | undefined;
      while (Date.now() < until) {
        await upload.write(JSON.stringify(jobPayload({ job_id: `slow-${i++}` })));
        await sleep(100);
        runId ??= (
          await t.db.query<{ id: string }[]>(`SELECT id FROM ingestion_runs WHERE NOT (id = ANY($1::uuid[]))`, [
            earlier,
          ])
        )[0]?.id;
      }
      // The other process swept every second meanwhile; this run's heartbeat kept it out.
      const during = await runById(runId!);
      expect(during.status).toBe('running');
      expect((during.heartbeat_at as Date).getTime()).toBeGreaterThan((during.started_at as Date).getTime() + 500);
      upload.req.end();
      const answer = await upload.answered;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).run_id).toBe(runId);
      expect(await runById(runId!)).toMatchObject({ status: 'success', counts: { records: { inserted: i } } });
    });

    it('marks abandoned, from this process, the run of a process killed mid-upload (kill -9)', async () => {
      const req = http.request({
        port: other.port,
        method: 'POST',
        path: '/api/v1/admin/ingest/jobs',
        headers: { 'Content-Type': 'application/x-ndjson', 'X-API-Key': API_KEY },
      });
      req.on('error', () => undefined);
      for (let i = 0; i < 100; i++) req.write(JSON.stringify(jobPayload({ job_id: `killed-${i}` })) + '\n');
      const run = await eventually(
        () => latestRun('http:ndjson'),
        (r) => typeof r?.owner === 'string' && r.owner.includes(`:${other.child.pid}:`),
      );
      expect(run.status).toBe('running');
      other.child.kill('SIGKILL');
      await other.exited;
      const after = await eventually(
        () => runById(run.id as string),
        (r) => r.status !== 'running',
        LEASE_SECONDS * 1_000 + 5_000,
      );
      expect(after).toMatchObject({ status: 'abandoned', message: expect.stringMatching(/^Abandoned/) });
    });
  });
});
