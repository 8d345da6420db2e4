import http from 'node:http';
import { AddressInfo } from 'node:net';
import { API_KEY, jobPayload } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';
import { serverUrl } from './support/test-database';
import { BATCH_SIZE } from '../src/ingestion/batch-pipeline';

describe('Ingestion: losing the database in the middle of a streamed run', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let port: number;

  beforeAll(async () => {
    proxy = TcpProxy.forUrl(serverUrl());
    await proxy.start();
    t = await createTestApp({}, { routeDatabase: (url) => proxy.wrap(url) });
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await proxy.start();
    await t.close();
    await proxy.stop();
  });

  /** Streams NDJSON lines, cutting the database after `cutAfter` lines; resolves with the answer. */
  function upload(lines: number, cutAfter: number): Promise<{ status: number; body: { message: string } }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          port,
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
      req.on('error', reject);
      (async () => {
        for (let i = 0; i < lines; i++) {
          if (i === cutAfter) {
            await new Promise((r) => setTimeout(r, 1_500));
            await proxy.stop();
          }
          if (!req.write(JSON.stringify(jobPayload({ job_id: `outage-${String(i).padStart(6, '0')}` })) + '\n')) {
            await new Promise((r) => req.once('drain', r));
          }
        }
        req.end();
      })().catch(reject);
    });
  }

  it('answers 503, keeps only whole committed batches, and marks the run failed once the database is back', async () => {
    const answer = await upload(30_000, 12_000);
    expect(answer.status).toBe(503);
    await proxy.start();

    const [{ jobs }] = await t.db.query(`SELECT count(*)::int AS jobs FROM jobs WHERE job_id LIKE 'outage-%'`);
    expect(jobs % BATCH_SIZE).toBe(0);
    let run: { status: string; message: string } | undefined;
    for (let i = 0; i < 30 && run?.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      [run] = await t.db.query(`SELECT status, message FROM ingestion_runs ORDER BY started_at DESC LIMIT 1`);
    }
    expect(run).toMatchObject({ status: 'failed', message: expect.stringMatching(/database became unavailable/) });
  });
});
