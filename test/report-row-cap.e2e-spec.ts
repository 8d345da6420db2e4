import { adminAuth, costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * One analytics answer holds at most REPORT_MAX_ROWS rows: past it the report is a 400 naming
 * the parameter that made it so large, before the API builds a row of it. Here the cap is 3,
 * and one day holds two teams and four models, in six team × model pairs.
 */
describe('Analytics answers are capped at REPORT_MAX_ROWS rows', () => {
  let t: TestApp;
  let admin: string;
  const range = 'start=2026-01-03&end=2026-01-03';

  beforeAll(async () => {
    t = await createTestApp({ REPORT_MAX_ROWS: '3' });
    admin = (await adminAuth(t)).header;
    const models = { 'cap-a': ['llama', 'bert', 'vit', 'bloom'], 'cap-b': ['llama', 'bert'] };
    const jobs = Object.entries(models).flatMap(([team, names]) =>
      names.map((model) => jobPayload({ team_name: team, model_name: model })),
    );
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson(jobs)).expect(200);
    await postIngest(t, 'costs', 'application/json', { cost_snapshots: [costPayload()] }).expect(200);
  });
  afterAll(() => t.close());

  const get = (path: string) => t.http.get(`/api/v1/analytics/${path}`).set('Authorization', admin);

  it('answers a report of up to the cap', async () => {
    const res = await get(`cost?${range}&group_by=team`).expect(200);
    expect(res.body.rows).toHaveLength(2);
  });

  it('refuses a grouping past the cap with 400 naming group_by, in JSON and in CSV', async () => {
    for (const format of ['', '&format=csv']) {
      const res = await get(`cost?${range}&group_by=team,model${format}`).expect(400);
      expect(res.body.details).toEqual([
        {
          field: 'group_by',
          message:
            'the answer would have more than 3 rows (REPORT_MAX_ROWS): narrow the range or the filters, or group by ' +
            'fewer keys (the FOCUS export streams line items of any number)',
        },
      ]);
    }
  });

  it('refuses trends past the cap, naming group_by', async () => {
    const res = await get(`trends?${range}&group_by=model`).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'group_by' })]);
  });

  it('refuses by-model past the cap naming start, the range that holds the models', async () => {
    const res = await get(`cost/by-model?${range}`).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'start' })]);
    await get(`cost/by-team?${range}`).expect(200);
  });
});
