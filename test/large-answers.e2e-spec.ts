import { AnalyticsService } from '../src/analytics/analytics.service';
import { ROWS_PER_PIECE } from '../src/common/answers-in-pieces';
import { addDays, daysInRange } from '../src/common/calendar';
import { adminAuth, costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * A report of more rows than one piece (ROWS_PER_PIECE) leaves as the same JSON or CSV written a
 * piece at a time, sent chunked; a smaller one is sent whole, as before. Three teams of ten models
 * each run one job through 71 days: `group_by=team,model,day` has 2,130 rows.
 */
describe('Large analytics answers are written a piece at a time', () => {
  let t: TestApp;
  let admin: string;
  const start = '2026-01-01';
  const end = '2026-03-12';
  const range = `start=${start}&end=${end}`;
  const teams = ['pieces-a', 'pieces-b', 'pieces-c'];
  const models = Array.from({ length: 10 }, (_, i) => `model-${i}`);

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
    const jobs = teams.flatMap((team_name) =>
      models.map((model_name) =>
        jobPayload({
          team_name,
          model_name,
          start_time: `${start}T00:00:00Z`,
          end_time: `${addDays(end, 1)}T00:00:00Z`,
        }),
      ),
    );
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson(jobs)).expect(200);
    const costs = Array.from({ length: daysInRange(start, end) }, (_, i) =>
      costPayload({ entry_date: addDays(start, i), cost_usd: 1000 + i }),
    );
    await postIngest(t, 'costs', 'application/json', { cost_snapshots: costs }).expect(200);
  });
  afterAll(() => t.close());

  const get = (query: string) => t.http.get(`/api/v1/analytics/cost?${query}`).set('Authorization', admin);
  const rowCount = teams.length * models.length * daysInRange(start, end);

  it('has more rows than one piece', () => {
    expect(rowCount).toBeGreaterThan(ROWS_PER_PIECE);
  });

  it('sends the JSON report chunked, and it is the report the service builds', async () => {
    const res = await get(`${range}&group_by=team,model,day`).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const report = await t.app.get(AnalyticsService).cost({ start, end }, ['team', 'model', 'day']);
    expect(res.body.rows).toHaveLength(rowCount);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('sends the CSV chunked: one header, then every row', async () => {
    const json = (await get(`${range}&group_by=team,model,day`).expect(200)).body;
    const res = await get(`${range}&group_by=team,model,day&format=csv`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="heliox-cost-${start}-${end}.csv"`);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const lines = res.text.trimEnd().split('\n');
    expect(lines[0]).toBe(Object.keys(json.rows[0]).join(','));
    expect(lines.filter((line) => line === lines[0])).toHaveLength(1);
    expect(lines).toHaveLength(rowCount + 1);
    expect(lines[rowCount].split(',')[0]).toBe(json.rows[rowCount - 1].team_id);
  });

  it('sends a report of one piece or less whole, with its length', async () => {
    const res = await get(`${range}&group_by=team,model`).expect(200);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(res.body))));
    expect(res.body.rows).toHaveLength(teams.length * models.length);
  });
});
