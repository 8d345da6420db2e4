import { AnalyticsService } from '../src/analytics/analytics.service';
import type { CostDimension } from '../src/analytics/dto/cost-query.dto';
import type { IdleMode } from '../src/common/idle.query';
import { adminAuth, costPayload, createTeam, jobPayload, postIngest } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * GET /analytics/cost answers JSON whose rows the database writes (docs/performance.md). The
 * answer must be the very text JSON.stringify gives for the report with its rows as values: the
 * same fields in the same order, amounts as the numbers Node writes (no trailing zeros), names
 * and label values escaped the same way, null where there is no value. Two teams with awkward
 * names run jobs labelled with quotes, backslashes, control characters and non-Latin text on
 * two days; aws/h100 has capacity owned by one of them, so that idle modes add their fields
 * and idle=owner a row with no model.
 */
describe('Cost reports answer the JSON the database writes for their rows', () => {
  let t: TestApp;
  let admin: string;
  const start = '2026-03-01';
  const end = '2026-03-02';
  const awkward = ['say "hi" \\ bye', 'tab\there\u0001\u007f', 'ünïcødé 漢字 🙂 \u2028 </script>'];

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
    const owner = await createTeam(t.db, { name: 'team "quoted" \\ one' });
    await createTeam(t.db, { name: 'équipe 二' });
    await t.http
      .post('/api/v1/capacity')
      .set('Authorization', admin)
      .send({ provider: 'aws', gpu_type: 'h100', gpu_count: 64, from: start, owner_team_id: owner.id })
      .expect(201);
    const jobs = [owner.name, 'équipe 二'].flatMap((team_name, team) =>
      awkward.map((value, i) =>
        jobPayload({
          job_id: `json-${team}-${i}`,
          team_name,
          model_name: `model "${i}"`,
          provider: i === 2 ? 'gcp' : 'aws',
          gpu_type: i === 2 ? 'a100' : 'h100',
          gpu_count: 1 + i + team,
          start_time: `${start}T0${i + team}:17:00Z`,
          end_time: `${end}T1${i}:05:00Z`,
          labels: { project: value, experiment: `e${i}` },
          gpu_utilization: i === 1 ? null : 0.37 + i / 10,
        }),
      ),
    );
    await postIngest(t, 'jobs', 'application/json', { jobs }).expect(200);
    const costs = [start, end].flatMap((entry_date, d) => [
      costPayload({ entry_date, provider: 'aws', gpu_type: 'h100', cost_usd: 1000 + d * 333.3 }),
      costPayload({ entry_date, provider: 'gcp', gpu_type: 'a100', cost_usd: 250 }),
    ]);
    await postIngest(t, 'costs', 'application/json', { cost_snapshots: costs }).expect(200);
  });
  afterAll(() => t.close());

  it.each<[CostDimension[], IdleMode | undefined]>([
    [['team', 'model'], undefined],
    [['label:project', 'day'], undefined],
    [['model', 'label:experiment'], 'share'],
    [['team', 'provider', 'gpu_type'], 'owner'],
    [['week', 'gpu_type'], 'separate'],
    [['month'], undefined],
  ])('group_by=%s, idle=%s: the text of the report with its rows as values', async (groupBy, idle) => {
    const query = `start=${start}&end=${end}&group_by=${groupBy.join(',')}${idle ? `&idle=${idle}` : ''}`;
    const res = await t.http.get(`/api/v1/analytics/cost?${query}`).set('Authorization', admin).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const values = await t.app.get(AnalyticsService).cost({ start, end }, groupBy, idle);
    expect(values.rows.length).toBeGreaterThan(0);
    expect(res.text).toBe(JSON.stringify(values));
  });

  it('writes whole amounts without trailing zeros, and a missing value as null', async () => {
    const res = await t.http
      .get(`/api/v1/analytics/cost?start=${start}&end=${start}&group_by=team,model&idle=owner`)
      .set('Authorization', admin)
      .expect(200);
    expect(res.text).not.toMatch(/\.\d*0[,}]/);
    expect(res.body.rows.some((row: { model_name: string | null }) => row.model_name === null)).toBe(true);
  });
});
