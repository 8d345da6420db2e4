import type Redis from 'ioredis';
import { Client } from 'pg';
import { AppProcess, spawnApp, waitForHealth } from './support/app-process';
import { API_KEY, costPayload, jobPayload, toNdjson } from './support/factories';
import { dropKeysAndQuit, requireRedis, TEST_REDIS_URL, uniqueKeyPrefix } from './support/redis';
import { createSuiteDatabase, dropSuiteDatabase } from './support/test-database';

const READS = 6;
const LOGINS = 3;
const range = 'start=2026-01-01&end=2026-01-31';

/** 400 jobs over 6 teams and two GPU types in January 2026; fixed content, so overlaps carry equal records. */
const jobs = Array.from({ length: 400 }, (_, i) =>
  jobPayload({
    job_id: `two-${String(i).padStart(4, '0')}`,
    team_name: `two-team-${i % 6}`,
    model_name: `model-${i % 5}`,
    gpu_type: i % 2 ? 'a100' : 'h100',
    gpu_count: (i % 4) + 1,
    start_time: new Date(Date.UTC(2026, 0, 1 + (i % 27), i % 24)).toISOString(),
    end_time: new Date(Date.UTC(2026, 0, 1 + (i % 27), i % 24, 45 + i * 7)).toISOString(),
  }),
);
/** A snapshot per day and GPU type over the same days. */
const snapshots = Array.from({ length: 28 }, (_, d) => d).flatMap((d) =>
  ['a100', 'h100'].map((gpu_type) =>
    costPayload({ entry_date: `2026-01-${String(d + 1).padStart(2, '0')}`, gpu_type, cost_usd: 500 + d * 3 }),
  ),
);

/** What one database holds, without its uuids (two databases give their rows different ids). */
async function contents(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const rows = async (sql: string) => (await client.query(sql)).rows;
  try {
    return {
      jobs: await rows(`SELECT t.name AS team, to_jsonb(j) - 'id' - 'team_id' - 'created_at' - 'updated_at' AS job
                          FROM jobs j JOIN teams t ON t.id = j.team_id ORDER BY j.job_id`),
      snapshots: await rows(`SELECT entry_date::text, provider, gpu_type, cost_usd::text FROM cost_snapshots
                               ORDER BY entry_date, provider, gpu_type`),
      jobDays: await rows(`SELECT j.job_id, t.name AS team, to_jsonb(a) - 'job_uuid' - 'team_id' AS row
                             FROM job_day_allocations a JOIN jobs j ON j.id = a.job_uuid JOIN teams t ON t.id = a.team_id
                            ORDER BY j.job_id, a.day, a.provider, a.gpu_type`),
      cells: await rows(
        `SELECT to_jsonb(c) - 'refreshed_at' AS cell FROM allocation_cells c ORDER BY day, provider, gpu_type`,
      ),
      teamDays: await rows(`SELECT t.name AS team, to_jsonb(d) - 'team_id' AS row
                              FROM allocation_team_days d JOIN teams t ON t.id = d.team_id ORDER BY d.day, t.name`),
      teamModelDays: await rows(`SELECT t.name AS team, to_jsonb(d) - 'team_id' AS row FROM allocation_team_model_days d
                                   JOIN teams t ON t.id = d.team_id ORDER BY d.day, t.name, d.model_name`),
      modelDays: await rows(`SELECT to_jsonb(d) AS row FROM allocation_model_days d ORDER BY day, model_name`),
    };
  } finally {
    await client.end();
  }
}

describe('Two API processes on one database, limits shared through Redis', () => {
  let redis: Redis;
  const prefix = uniqueKeyPrefix('two-processes');
  const databases: { name: string; url: string }[] = [];
  let a: AppProcess;
  let b: AppProcess;
  /** One process alone on a database of its own: the reference. */
  let single: AppProcess;

  beforeAll(async () => {
    redis = await requireRedis();
    const [shared, reference] = await Promise.all([createSuiteDatabase(), createSuiteDatabase()]);
    databases.push(shared, reference);
    const env = {
      DATABASE_URL: shared.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_READS: String(READS),
      LOGIN_RATE_LIMIT: String(LOGINS),
      LOG_LEVEL: 'warn',
    };
    [a, b, single] = await Promise.all([
      spawnApp(env),
      spawnApp(env),
      spawnApp({ DATABASE_URL: reference.url, LOG_LEVEL: 'warn' }),
    ]);
    // Three ts-node processes compiling the whole app at once on two cores: minutes when the machine is busy.
    await Promise.all([a, b, single].map((app) => waitForHealth(app, 180_000)));
  }, 240_000);
  afterAll(async () => {
    for (const app of [a, b, single]) app?.child.kill('SIGTERM');
    await Promise.all([a, b, single].map((app) => app?.exited));
    for (const db of databases) await dropSuiteDatabase(db.name);
    if (redis) await dropKeysAndQuit(redis, prefix);
  });

  const call = (app: AppProcess, path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${app.port}/api/v1${path}`, init);
  const login = (app: AppProcess, client: string, username: string, password: string) =>
    call(app, '/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
      body: JSON.stringify({ username, password }),
    });
  const ingest = (app: AppProcess, kind: 'jobs' | 'costs', records: unknown[]) =>
    call(app, `/admin/ingest/${kind}`, {
      method: 'POST',
      headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/x-ndjson' },
      body: toNdjson(records),
    });

  it('ends concurrent overlapping ingestions from both processes where one ingestion in one process ends', async () => {
    const answers = await Promise.all([
      ingest(a, 'jobs', jobs.slice(0, 300)),
      ingest(b, 'jobs', jobs.slice(100).reverse()),
      ingest(a, 'costs', snapshots.slice(0, 40)),
      ingest(b, 'costs', snapshots.slice(16)),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await ingest(single, 'jobs', jobs).then((r) => r.status)).toBe(200);
    expect(await ingest(single, 'costs', snapshots).then((r) => r.status)).toBe(200);

    // A report on each side brings the allocation up to date first, as any read does.
    const adminLogin = async (app: AppProcess) =>
      `Bearer ${((await (await login(app, '192.0.2.10', 'admin@heliox.ai', 'admin123')).json()) as { access_token: string }).access_token}`;
    const report = async (app: AppProcess) =>
      (
        await call(app, `/analytics/cost/by-model?${range}`, { headers: { Authorization: await adminLogin(app) } })
      ).json();
    const [sharedReport, singleReport] = await Promise.all([report(a), report(single)]);
    expect(sharedReport).toEqual(singleReport);
    expect(sharedReport).toHaveLength(5);

    const [sharedRows, singleRows] = await Promise.all([contents(databases[0].url), contents(databases[1].url)]);
    expect(sharedRows.jobs).toHaveLength(jobs.length);
    expect(sharedRows.snapshots).toHaveLength(snapshots.length);
    expect(sharedRows.jobDays.length).toBeGreaterThan(jobs.length);
    expect(sharedRows).toEqual(singleRows);
  });

  it('holds one read limit across both processes: reads split between them add up, and either refuses the next', async () => {
    // A user of its own, whose window nothing else in this suite has used.
    const account = { email: 'reader@example.com', password: 'reader-password', role: 'admin' };
    const created = await call(b, '/admin/users', {
      method: 'POST',
      headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(created.status).toBe(201);
    const res = await login(a, '192.0.2.20', account.email, account.password);
    expect(res.status).toBe(200);
    const headers = { Authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
    for (let i = 0; i < READS; i++) expect((await call(i % 2 ? b : a, '/jobs', { headers })).status).toBe(200);
    for (const app of [a, b]) {
      const refused = await call(app, '/jobs', { headers });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    }
  });

  it('holds one login limit across both processes', async () => {
    for (let i = 0; i < LOGINS; i++) {
      expect((await login(i % 2 ? b : a, '192.0.2.30', 'nobody@example.com', 'wrong-password')).status).toBe(401);
    }
    for (const app of [a, b]) {
      const refused = await login(app, '192.0.2.30', 'nobody@example.com', 'wrong-password');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
    }
  });
});
