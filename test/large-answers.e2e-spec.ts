import { AnalyticsService } from '../src/analytics/analytics.service';
import { ROWS_PER_PIECE } from '../src/common/answers-in-pieces';
import { addDays, daysInRange } from '../src/common/calendar';
import { adminAuth, costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * A report of more rows than one piece (ROWS_PER_PIECE) is serialised a piece at a time and sent
 * as the same JSON or CSV a smaller one would be: with its length and ETag, revalidated with
 * If-None-Match. Three teams of ten models each run one job through 71 days:
 * `group_by=team,model,day` has 2,130 rows.
 */
describe('Large analytics answers are serialised a piece at a time', () => {
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

  it('sends the JSON report whole, and it is the report the service builds', async () => {
    const res = await get(`${range}&group_by=team,model,day`).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    const report = await t.app.get(AnalyticsService).cost({ start, end }, ['team', 'model', 'day']);
    expect(res.body.rows).toHaveLength(rowCount);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('sends the CSV whole: one header, then every row', async () => {
    const json = (await get(`${range}&group_by=team,model,day`).expect(200)).body;
    const res = await get(`${range}&group_by=team,model,day&format=csv`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="heliox-cost-${start}-${end}.csv"`);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    const lines = res.text.trimEnd().split('\n');
    expect(lines[0]).toBe(Object.keys(json.rows[0]).join(','));
    expect(lines.filter((line) => line === lines[0])).toHaveLength(1);
    expect(lines).toHaveLength(rowCount + 1);
    expect(lines[rowCount].split(',')[0]).toBe(json.rows[rowCount - 1].team_id);
  });

  it.each([
    ['JSON', ''],
    ['CSV', '&format=csv'],
  ])('tags the large %s report: the same ETag again, and 304 without a body to If-None-Match', async (_format, csv) => {
    const query = `${range}&group_by=team,model,day${csv}`;
    const first = await get(query).expect(200);
    const etag = first.headers['etag'];
    expect(etag).toMatch(/^W\/"[0-9a-f]+-/);
    expect((await get(query).expect(200)).headers['etag']).toBe(etag);
    const again = await get(query).set('If-None-Match', etag).expect(304);
    expect(again.text ?? '').toBe('');
    const otherRange = `start=${start}&end=${addDays(end, -1)}&group_by=team,model,day${csv}`;
    await get(otherRange).set('If-None-Match', etag).expect(200);
  });

  it('answers HEAD of a large report with its headers and no body', async () => {
    const full = await get(`${range}&group_by=team,model,day`).expect(200);
    const head = await t.http
      .head(`/api/v1/analytics/cost?${range}&group_by=team,model,day`)
      .set('Authorization', admin)
      .expect(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(full.text)));
    expect(head.headers['etag']).toBe(full.headers['etag']);
    expect(head.headers['etag']).toBeDefined();
    expect(head.text ?? '').toBe('');
  });

  it('sends a report of one piece or less whole, with its length', async () => {
    const res = await get(`${range}&group_by=team,model`).expect(200);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(res.body))));
    expect(res.body.rows).toHaveLength(teams.length * models.length);
  });
});
