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
