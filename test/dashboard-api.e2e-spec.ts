import { adminAuth, API_KEY, costPayload, createTeam, memberAuth, postIngest } from './support/factories';
import { expectErrorShape } from './support/expectations';
import { createTestApp, TestApp } from './support/test-app';

/** The two reads the dashboard needed beyond the reports: the days with known costs, and the run history for admins. */
describe('Dashboard reads', () => {
  let t: TestApp;
  let admin: string;
  let member: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
    member = (await memberAuth(t, (await createTeam(t.db)).id)).header;
  });
  afterAll(() => t.close());

  describe('GET /analytics/coverage', () => {
    it('answers null days while no cost snapshot exists', async () => {
      const res = await t.http.get('/api/v1/analytics/coverage').set('Authorization', admin).expect(200);
      expect(res.body).toEqual({ first_snapshot_day: null, last_snapshot_day: null });
    });

    it('names the first and last day with a snapshot, whatever days jobs used', async () => {
      await postIngest(t, 'costs', 'application/json', {
        cost_snapshots: [
          costPayload({ entry_date: '2026-02-03' }),
          costPayload({ entry_date: '2026-02-09', gpu_type: 'h100' }),
          costPayload({ entry_date: '2026-02-05', cost_usd: 0 }),
        ],
      }).expect(200);
      await postIngest(t, 'jobs', 'application/json', {
        jobs: [{ ...jobOn('2026-02-20'), team_name: 'coverage-team' }],
      }).expect(200);
      const res = await t.http.get('/api/v1/analytics/coverage').set('Authorization', admin).expect(200);
      expect(res.body).toEqual({ first_snapshot_day: '2026-02-03', last_snapshot_day: '2026-02-09' });
    });

    it('answers a member the same days: bills are not team data', async () => {
      const res = await t.http.get('/api/v1/analytics/coverage').set('Authorization', member).expect(200);
      expect(res.body.last_snapshot_day).toBe('2026-02-09');
    });

    it('refuses an anonymous caller', async () => {
      expectErrorShape((await t.http.get('/api/v1/analytics/coverage').expect(401)).body, 401);
    });
  });

  describe('GET /admin/ingestions for admins', () => {
    it("lists the runs with an admin's bearer token", async () => {
      const res = await t.http.get('/api/v1/admin/ingestions?limit=5').set('Authorization', admin).expect(200);
      expect(res.body.ingestions.length).toBeGreaterThanOrEqual(2);
    });

    it("shows one run with an admin's bearer token", async () => {
      const list = await t.http.get('/api/v1/admin/ingestions?limit=1').set('X-API-Key', API_KEY).expect(200);
      const id = list.body.ingestions[0].id;
      const res = await t.http.get(`/api/v1/admin/ingestions/${id}`).set('Authorization', admin).expect(200);
      expect(res.body.id).toBe(id);
    });

    it("refuses a member's token with 403", async () => {
      expectErrorShape(
        (await t.http.get('/api/v1/admin/ingestions').set('Authorization', member).expect(403)).body,
        403,
      );
    });

    it("judges a request that carries a key by the key alone, even beside an admin's token", async () => {
      await t.http.get('/api/v1/admin/ingestions').set('Authorization', admin).set('X-API-Key', 'wrong').expect(401);
    });

    it('still refuses an anonymous caller', async () => {
      expectErrorShape((await t.http.get('/api/v1/admin/ingestions').expect(401)).body, 401);
    });
  });
});

function jobOn(day: string): Record<string, unknown> {
  return {
    job_id: `coverage-${day}`,
    model_name: 'llama-3-8b',
    provider: 'aws',
    gpu_type: 'a100',
    gpu_count: 1,
    start_time: `${day}T00:00:00Z`,
    end_time: `${day}T05:00:00Z`,
    status: 'completed',
  };
}
