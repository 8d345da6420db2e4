import { metricValue } from '../bench/heliox-client';
import { expectErrorShape, UUID } from './support/expectations';
import { API_KEY, costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Ingestion: endpoints and formats', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (path: string, type: string, body: string | object) => postIngest(t, path, type, body);
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params))[0].n);

  it('refuses ingestion without an API key, or with a wrong one', async () => {
    const none = await t.http.post('/api/v1/admin/ingest/jobs/mock').expect(401);
    expectErrorShape(none.body, 401);
    await t.http.post('/api/v1/admin/ingest/jobs/mock').set('X-API-Key', 'wrong-key-of-some-length').expect(401);
    await t.http.get('/api/v1/admin/ingestions').expect(401);
  });

  it('ingests the mock jobs: 3 teams and 30 jobs, reported as inserted', async () => {
    const res = await t.http.post('/api/v1/admin/ingest/jobs/mock').set('X-API-Key', API_KEY).expect(200);
    expect(res.body).toMatchObject({
      status: 'success',
      run_id: expect.stringMatching(UUID),
      result: {
        teams: { created: 3, existing: 0, total: 3 },
        jobs: { inserted: 30, updated: 0, unchanged: 0, failed: 0, total: 30 },
        errors: [],
        error_count: 0,
      },
    });
    expect(
      await count(
        `SELECT count(*) AS n FROM teams WHERE budget_usd IS NOT NULL AND name IN ('ml-research','data-science','ai-platform')`,
      ),
    ).toBe(3);
  });

  it('re-ingesting the mock jobs changes nothing, not even updated_at, and says so', async () => {
    const before = await t.db.query(`SELECT job_id, updated_at FROM jobs ORDER BY job_id`);
    const res = await t.http.post('/api/v1/admin/ingest/jobs/mock').set('X-API-Key', API_KEY).expect(200);
    expect(res.body.result).toMatchObject({
      teams: { created: 0, existing: 3 },
      jobs: { inserted: 0, updated: 0, unchanged: 30 },
    });
    expect(await t.db.query(`SELECT job_id, updated_at FROM jobs ORDER BY job_id`)).toEqual(before);
  });

  it('ingests the mock cost snapshots (14 days x 2 GPU types), then reports them unchanged', async () => {
    const first = await t.http.post('/api/v1/admin/ingest/costs/mock').set('X-API-Key', API_KEY).expect(200);
    expect(first.body.result.cost_snapshots).toMatchObject({ inserted: 28, unchanged: 0, total: 28 });
    const again = await t.http.post('/api/v1/admin/ingest/costs/mock').set('X-API-Key', API_KEY).expect(200);
    expect(again.body.result.cost_snapshots).toMatchObject({ inserted: 0, updated: 0, unchanged: 28 });
  });

  it('ingests jobs as JSON with teams, creating an unknown team by name without a budget', async () => {
    const job = jobPayload({ team_name: 'json-newcomers' });
    const res = await post('jobs', 'application/json', {
      teams: [{ name: 'json-team', budget_usd: 5000 }],
      jobs: [job],
    }).expect(200);
    expect(res.body.result.teams).toEqual({ created: 2, existing: 0, total: 2 });
    const [team] = await t.db.query(`SELECT budget_usd FROM teams WHERE name = 'json-newcomers'`);
    expect(team.budget_usd).toBeNull();
  });

  it('updates a changed job and counts it as updated', async () => {
    const job = jobPayload();
    await post('jobs', 'application/json', { jobs: [job] }).expect(200);
    const res = await post('jobs', 'application/json', { jobs: [{ ...job, gpu_count: 4 }] }).expect(200);
    expect(res.body.result.jobs).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await count(`SELECT gpu_count AS n FROM jobs WHERE job_id = $1`, [job.job_id])).toBe(4);
  });

  it('ingests jobs as NDJSON, normalised (trimmed, lower-cased, UTC, status alias)', async () => {
    const job = jobPayload({
      job_id: ' nd-1 ',
      provider: 'AWS',
      gpu_type: 'A100',
      status: 'Succeeded',
      start_time: '2026-01-03T09:00:00+01:00',
    });
    const res = await post('jobs', 'application/x-ndjson', toNdjson([job, jobPayload()])).expect(200);
    expect(res.body.result.jobs).toMatchObject({ inserted: 2, total: 2 });
    const [row] = await t.db.query(`SELECT provider, gpu_type, status, start_time FROM jobs WHERE job_id = 'nd-1'`);
    expect(row).toEqual({
      provider: 'aws',
      gpu_type: 'a100',
      status: 'completed',
      start_time: new Date('2026-01-03T08:00:00Z'),
    });
  });

  it('ingests jobs as CSV with a header row; an empty end_time is a running job', async () => {
    // A running job must have started within JOB_MAX_DAYS of now: yesterday, whenever this runs.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const csv =
      'job_id,team_name,model_name,provider,gpu_type,gpu_count,start_time,end_time,status\n' +
      `csv-1,csv-team,whisper-large-v3,aws,a100,1,${yesterday},,running\n` +
      'csv-2,csv-team,"bert, base",aws,h100,0.5,2026-01-05T06:00:00Z,2026-01-05T07:00:00Z,failed\n';
    const res = await post('jobs', 'text/csv', csv).expect(200);
    expect(res.body.result.jobs).toMatchObject({ inserted: 2, failed: 0 });
    const rows = await t.db.query(
      `SELECT job_id, model_name, gpu_count::float8 AS gpu_count, end_time FROM jobs WHERE job_id LIKE 'csv-%' ORDER BY job_id`,
    );
    expect(rows).toEqual([
      { job_id: 'csv-1', model_name: 'whisper-large-v3', gpu_count: 1, end_time: null },
      { job_id: 'csv-2', model_name: 'bert, base', gpu_count: 0.5, end_time: new Date('2026-01-05T07:00:00Z') },
    ]);
  });

  it('ingests cost snapshots as NDJSON and as CSV, upserting by date, provider and GPU type', async () => {
    await post(
      'costs',
      'application/x-ndjson',
      toNdjson([costPayload({ entry_date: '2026-02-01', cost_usd: 100 })]),
    ).expect(200);
    const res = await post(
      'costs',
      'text/csv',
      'entry_date,provider,gpu_type,cost_usd\n2026-02-01,AWS,a100,125.5\n2026-02-02,aws,a100,99\n',
    ).expect(200);
    expect(res.body.result.cost_snapshots).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    expect(
      await count(`SELECT cost_usd AS n FROM cost_snapshots WHERE entry_date = '2026-02-01' AND gpu_type = 'a100'`),
    ).toBe(125.5);
  });

  it('keeps the last of two records with the same job_id and says so', async () => {
    const job = jobPayload();
    const res = await post(
      'jobs',
      'application/x-ndjson',
      toNdjson([job, { ...job, model_name: 'second-wins' }]),
    ).expect(200);
    expect(res.body.result.jobs).toMatchObject({ inserted: 1, superseded: 1, total: 2 });
    expect(res.body.message).toMatch(/superseded/);
    const [row] = await t.db.query(`SELECT model_name FROM jobs WHERE job_id = $1`, [job.job_id]);
    expect(row.model_name).toBe('second-wins');
  });

  it('writes the valid records of a payload with bad ones, answering partial with index and field', async () => {
    const good = jobPayload();
    const bad = jobPayload({ gpu_count: 0 });
    const res = await post('jobs', 'application/json', { jobs: [good, bad] }).expect(200);
    expect(res.body).toMatchObject({
      status: 'partial',
      result: {
        jobs: { inserted: 1, failed: 1, total: 2 },
        errors: [{ index: 1, job_id: bad.job_id, field: 'gpu_count', message: 'gpu_count must be greater than 0' }],
        error_count: 1,
      },
    });
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE job_id = ANY($1)`, [[good.job_id, bad.job_id]])).toBe(1);
  });

  it('dry_run validates and reports what would happen, writing nothing', async () => {
    const job = jobPayload({ team_name: 'dry-run-team' });
    const runs = await count(`SELECT count(*) AS n FROM ingestion_runs`);
    const res = await post('jobs?dry_run=true', 'application/x-ndjson', toNdjson([job])).expect(200);
    expect(res.body).toMatchObject({
      status: 'success',
      dry_run: true,
      result: { teams: { created: 1 }, jobs: { inserted: 1 } },
    });
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE job_id = $1`, [job.job_id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM teams WHERE name = 'dry-run-team'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM ingestion_runs`)).toBe(runs + 1);
  });

  it('atomic writes nothing when any record is bad, answering 400 with every record error', async () => {
    const good = jobPayload({ team_name: 'atomic-team' });
    const res = await post(
      'jobs?atomic=true',
      'application/x-ndjson',
      toNdjson([good, jobPayload({ status: 'exploded' }), jobPayload({ start_time: 'noon' })]),
    ).expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ index: 1, field: 'status' }),
      expect.objectContaining({ index: 2, field: 'start_time' }),
    ]);
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE job_id = $1`, [good.job_id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM teams WHERE name = 'atomic-team'`)).toBe(0);
  });

  it('atomic writes everything when every record is good', async () => {
    const res = await post('jobs?atomic=true', 'application/json', { jobs: [jobPayload(), jobPayload()] }).expect(200);
    expect(res.body.result.jobs).toMatchObject({ inserted: 2, failed: 0 });
  });

  it('times the allocation upkeep of each upload in /metrics: its mark, its refresh and the cells refreshed', async () => {
    const metric = async (series: string) => metricValue((await t.http.get('/metrics').expect(200)).text, series);
    const upkeep = async () => ({
      marks: await metric('allocation_duration_seconds_count{step="mark"}'),
      refreshes: await metric('allocation_duration_seconds_count{step="refresh"}'),
      cells: await metric('allocation_refreshed_cells_total'),
    });
    const day = { gpu_type: 'metrics-gpu', start_time: '2026-02-11T08:00:00Z', end_time: '2026-02-11T12:00:00Z' };

    const before = await upkeep();
    await post('jobs', 'application/x-ndjson', toNdjson([jobPayload(day)])).expect(200);
    await post(
      'costs',
      'application/x-ndjson',
      toNdjson([costPayload({ entry_date: '2026-02-11', gpu_type: 'metrics-gpu' })]),
    ).expect(200);
    expect(await upkeep()).toEqual({
      marks: before.marks + 2,
      refreshes: before.refreshes + 2,
      cells: before.cells + 2,
    });
    expect(await metric('allocation_duration_seconds_sum{step="refresh"}')).toBeGreaterThan(0);
  });

  it('refuses another content type with 415', async () => {
    const res = await post('jobs', 'text/plain', 'job_id=1').expect(415);
    expectErrorShape(res.body, 415);
    await post('costs', 'application/xml', '<jobs/>').expect(415);
  });

  it('refuses an unknown query parameter and a non-boolean dry_run', async () => {
    await post('jobs?dryrun=true', 'application/json', { jobs: [jobPayload()] }).expect(400);
    const res = await post('jobs?dry_run=maybe', 'application/json', { jobs: [jobPayload()] }).expect(400);
    expect(res.body.details[0].field).toBe('dry_run');
  });

  it('lists ingestion runs newest first, paginated, and shows one with its counts and errors', async () => {
    const bad = await post('costs', 'application/json', {
      cost_snapshots: [costPayload({ cost_usd: -1 }), costPayload({ entry_date: '2026-03-01' })],
    }).expect(200);
    const list = await t.http.get('/api/v1/admin/ingestions?limit=2').set('X-API-Key', API_KEY).expect(200);
    expect(list.body).toMatchObject({ skip: 0, limit: 2, has_more: true, total: expect.any(Number) });
    expect(list.body.ingestions[0]).toMatchObject({
      id: bad.body.run_id,
      kind: 'costs',
      source: 'http:json',
      status: 'partial',
    });
    const one = await t.http.get(`/api/v1/admin/ingestions/${bad.body.run_id}`).set('X-API-Key', API_KEY).expect(200);
    expect(one.body).toMatchObject({
      status: 'partial',
      started_at: expect.any(String),
      finished_at: expect.any(String),
      counts: { records: { inserted: 1, failed: 1, total: 2 } },
      error_count: 1,
      errors: [{ index: 0, field: 'cost_usd', message: 'cost_usd must be at least 0' }],
    });
  });

  it('answers 404 for an unknown run and 400 for a malformed run id', async () => {
    const missing = await t.http
      .get('/api/v1/admin/ingestions/00000000-0000-4000-8000-000000000000')
      .set('X-API-Key', API_KEY)
      .expect(404);
    expectErrorShape(missing.body, 404);
    await t.http.get('/api/v1/admin/ingestions/not-a-uuid').set('X-API-Key', API_KEY).expect(400);
  });
});
