import { expectErrorShape } from './support/expectations';
import { API_KEY, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Ingestion: bad input is refused with the record and field named, and nothing of it is written', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (path: string, type: string, body: string | object) => postIngest(t, path, type, body);
  const jobCount = async () => Number((await t.db.query(`SELECT count(*) AS n FROM jobs`))[0].n);

  it('refuses malformed JSON with 400 saying so', async () => {
    const res = await post('jobs', 'application/json', '{"jobs": [{"job_id": "x"').expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.message).toMatch(/JSON/);
    expect(await jobCount()).toBe(0);
  });

  it('refuses an empty body in every format', async () => {
    for (const [type, body] of [
      ['application/json', ''],
      ['application/x-ndjson', ''],
      ['text/csv', ''],
    ]) {
      const res = await post('jobs', type, body).expect(400);
      expectErrorShape(res.body, 400);
    }
    expect(await jobCount()).toBe(0);
  });

  it('refuses a payload whose only record has a wrong type, naming index and field', async () => {
    const res = await post('jobs', 'application/json', { jobs: [jobPayload({ gpu_count: 'eight' })] }).expect(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ index: 0, field: 'gpu_count', message: 'gpu_count must be a number' }),
    ]);
    expect(await jobCount()).toBe(0);
  });

  it('reports a truncated NDJSON line by its line, and still writes the complete lines', async () => {
    const good = jobPayload();
    const body = toNdjson([good]) + JSON.stringify(jobPayload()).slice(0, 40);
    const res = await post('jobs', 'application/x-ndjson', body).expect(200);
    expect(res.body).toMatchObject({ status: 'partial', result: { jobs: { inserted: 1, failed: 1 } } });
    expect(res.body.result.errors).toEqual([
      { index: 1, job_id: null, field: null, message: expect.stringMatching(/^line 2 is not valid JSON/) },
    ]);
    expect(await jobCount()).toBe(1);
  });

  it('refuses a CSV missing a required column before writing anything, naming the column', async () => {
    const before = await jobCount();
    const res = await post(
      'jobs',
      'text/csv',
      'job_id,team_name,model_name,provider,gpu_type,status\nc-1,t,m,aws,a100,completed\n',
    ).expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.details).toEqual([{ field: 'start_time', message: 'column start_time is missing' }]);
    expect(await jobCount()).toBe(before);
  });

  it('rejects __proto__ as an unknown field without polluting anything', async () => {
    const before = await jobCount();
    const line = `{"job_id":"proto-1","__proto__":{"isAdmin":true},"team_name":"t","model_name":"m","provider":"aws","gpu_type":"a100","start_time":"2026-01-03T00:00:00Z","end_time":"2026-01-03T01:00:00Z","status":"completed"}\n`;
    const res = await post('jobs', 'application/x-ndjson', line).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ index: 0, job_id: 'proto-1', field: '__proto__' })]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await jobCount()).toBe(before);
  });

  it('refuses a 10 MB JSON body with 413', async () => {
    const res = await post('jobs', 'application/json', {
      jobs: [jobPayload({ model_name: 'x'.repeat(10 * 1024 * 1024) })],
    }).expect(413);
    expectErrorShape(res.body, 413);
  });

  it('rejects a 10 MB NDJSON line as that record, without holding it', async () => {
    const before = await jobCount();
    const res = await post(
      'jobs',
      'application/x-ndjson',
      toNdjson([jobPayload({ model_name: 'x'.repeat(10 * 1024 * 1024) })]),
    ).expect(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ index: 0, message: expect.stringMatching(/^line 1 is longer than/) }),
    ]);
    expect(await jobCount()).toBe(before);
  });

  it('stops a CSV upload at a row over 1 MiB with 413 naming it, keeping the rows before and writing none after', async () => {
    const header = 'job_id,team_name,model_name,provider,gpu_type,start_time,end_time,status';
    const row = (id: string, model = 'm') =>
      `${id},csv-cut,${model},aws,a100,2026-01-03T08:00:00Z,2026-01-03T10:00:00Z,completed`;
    const after = Array.from({ length: 300 }, (_, i) => row(`csv-cut-after-${i}`));
    const body = [header, row('csv-cut-before'), row('csv-cut-big', 'x'.repeat(1100 * 1024)), ...after].join('\n');
    const res = await post('jobs', 'text/csv', body).expect(413);
    expectErrorShape(res.body, 413);
    expect(res.body.details).toEqual([
      {
        field: 'body',
        message:
          'row 2 is longer than 1048576 bytes: the rows after it were not read (a CSV row is at most 1048576 bytes)',
      },
    ]);
    const ids = await t.db.query(`SELECT job_id FROM jobs WHERE job_id LIKE 'csv-cut-%'`);
    expect(ids).toEqual([{ job_id: 'csv-cut-before' }]);
    const run = await t.http
      .get(`/api/v1/admin/ingestions/${/run ([0-9a-f-]{36})/.exec(res.body.message)![1]}`)
      .set('X-API-Key', API_KEY)
      .expect(200);
    expect(run.body).toMatchObject({ status: 'partial', counts: { records: { inserted: 1, failed: 1, total: 2 } } });
  });

  it('quotes a bounded part of what it could not read as CSV', async () => {
    const header = 'job_id,team_name,model_name,provider,gpu_type,start_time,end_time,status';
    const broken = `${'\u0001'.repeat(200_000)}"x,t,m,aws,a100,2026-01-03T08:00:00Z,2026-01-03T10:00:00Z,completed`;
    const res = await post('jobs', 'text/csv', `${header}\n${broken}\n`).expect(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ index: 0, message: expect.stringMatching(/^row 1 cannot be read as CSV: /) }),
    ]);
    expect(JSON.stringify(res.body).length).toBeLessThan(5_000);
  });

  it('refuses a stream in a charset other than UTF-8 with 415, and takes an explicit UTF-8', async () => {
    const res = await post('jobs', 'text/csv; charset=iso-8859-1', 'job_id\n').expect(415);
    expect(res.body.details).toEqual([
      { field: 'Content-Type', message: 'Content-Type charset must be utf-8 (got iso-8859-1)' },
    ]);
    await post('jobs', 'application/x-ndjson; charset="UTF-8"', toNdjson([jobPayload()])).expect(200);
  });

  it('refuses amounts finer than their columns keep, naming the field, instead of rounding them', async () => {
    const cost = await post(
      'costs',
      'application/x-ndjson',
      '{"entry_date":"2026-01-03","provider":"aws","gpu_type":"fine","cost_usd":"0.00004"}\n',
    ).expect(400);
    expect(cost.body.details).toEqual([
      expect.objectContaining({ index: 0, field: 'cost_usd', message: 'cost_usd must have at most 4 decimals' }),
    ]);
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM cost_snapshots WHERE gpu_type = 'fine'`))[0].n)).toBe(0);
    const budget = await post('jobs', 'application/json', {
      teams: [{ name: 'fine-budget', budget_usd: 100.555 }],
      jobs: [jobPayload({ team_name: 'fine-budget' })],
    }).expect(400);
    expect(budget.body.details).toEqual([
      { field: 'teams[0].budget_usd', message: 'budget_usd must have at most 2 decimals' },
    ]);
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM teams WHERE name = 'fine-budget'`))[0].n)).toBe(0);
    await post('costs', 'application/json', {
      cost_snapshots: [{ entry_date: '2026-01-03', provider: 'aws', gpu_type: 'fine', cost_usd: '12.3400000' }],
    }).expect(200);
  });

  it('rejects an over-long field value with the field named', async () => {
    const res = await post('jobs', 'application/json', { jobs: [jobPayload({ team_name: 't'.repeat(201) })] }).expect(
      400,
    );
    expect(res.body.details).toEqual([
      expect.objectContaining({ field: 'team_name', message: 'team_name must be at most 200 characters' }),
    ]);
  });

  it('never writes half a record: a bad record leaves no team behind either', async () => {
    const res = await post('jobs', 'application/json', {
      jobs: [jobPayload({ team_name: 'half-written', end_time: '2026-01-01T00:00:00Z' })],
    }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'end_time' })]);
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM teams WHERE name = 'half-written'`))[0].n)).toBe(0);
  });

  it('leaves no team of the envelope behind when every job is refused', async () => {
    const res = await post('jobs', 'application/json', {
      teams: [{ name: 'envelope-only', budget_usd: 100 }],
      jobs: [jobPayload({ team_name: 'envelope-only', gpu_count: 'eight' })],
    }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'gpu_count' })]);
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM teams WHERE name = 'envelope-only'`))[0].n)).toBe(0);
  });

  it("checks a number written as text digit for digit: a utilization just over 1 is that field's error", async () => {
    const over = jobPayload({ gpu_utilization: '1.0000000000000001' });
    const res = await post('jobs', 'application/x-ndjson', toNdjson([over])).expect(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ field: 'gpu_utilization', message: 'gpu_utilization must be at most 1' }),
    ]);
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM jobs WHERE job_id = $1`, [over.job_id]))[0].n)).toBe(0);
  });

  it('records refused runs as failed in the history', async () => {
    const res = await t.http.get('/api/v1/admin/ingestions?status=failed').set('X-API-Key', API_KEY).expect(200);
    expect(res.body.total).toBeGreaterThanOrEqual(4);
    expect(res.body.ingestions.every((r: { status: string }) => r.status === 'failed')).toBe(true);
  });
});
