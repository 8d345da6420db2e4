import { expectErrorShape } from './support/expectations';
import { adminAuth, createJob, createTeam, memberAuth } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

const READS = 5;
const EXPORTS = 2;
const WINDOW = 60;

describe('Read and export rate limits (per user)', () => {
  let t: TestApp;
  let jobId: string;
  let teamId: string;
  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_READS: String(READS),
      RATE_LIMIT_EXPORTS: String(EXPORTS),
      RATE_LIMIT_WINDOW: String(WINDOW),
    });
    teamId = (await createTeam(t.db)).id;
    jobId = (await createJob(t.db, teamId)).job_id;
  });
  afterAll(() => t.close());

  const range = 'start=2026-01-01&end=2026-01-31';
  /** One of each kind of read route: a page of jobs, a job, a report, budgets. */
  const reads = () => [
    '/api/v1/jobs',
    `/api/v1/jobs/${jobId}`,
    `/api/v1/analytics/cost/by-team?${range}`,
    `/api/v1/analytics/cost?${range}&group_by=day`,
    '/api/v1/analytics/budgets?month=2026-01',
  ];
  const get = (path: string, auth: string) => t.http.get(path).set('Authorization', auth);

  function expectRefusal(res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }) {
    expect(res.status).toBe(429);
    expectErrorShape(res.body, 429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW);
  }

  it('counts every read route against one counter per user and refuses the next with 429 and Retry-After', async () => {
    const { header } = await adminAuth(t);
    for (const path of reads()) await get(path, header).expect(200);
    const res = await get('/api/v1/jobs', header);
    expectRefusal(res);
    expect(res.body.message).toMatch(new RegExp(`at most ${READS} per ${WINDOW} s for each user`));
    // Blocked on every limited route, not just the one that went over.
    expectRefusal(await get(`/api/v1/analytics/cost/by-model?${range}`, header));
  });

  it('limits the user, not the address: another user from the same client still reads', async () => {
    const first = await memberAuth(t, teamId);
    const second = await memberAuth(t, teamId);
    for (let i = 0; i < READS; i++) await get('/api/v1/jobs', first.header).expect(200);
    expectRefusal(await get('/api/v1/jobs', first.header));
    await get('/api/v1/jobs', second.header).expect(200);
  });

  it('refuses the third export within a window while the same user may still read JSON', async () => {
    const { header } = await adminAuth(t);
    await get(`/api/v1/analytics/cost/export?${range}`, header).expect(200);
    await get(`/api/v1/analytics/cost?${range}&group_by=team&format=csv`, header).expect(200);
    const res = await get(`/api/v1/analytics/cost/export?${range}`, header);
    expectRefusal(res);
    expect(res.body.message).toMatch(new RegExp(`Too many exports: at most ${EXPORTS} per ${WINDOW} s`));
    expectRefusal(
      await t.http.get(`/api/v1/analytics/cost?${range}`).set('Accept', 'text/csv').set('Authorization', header),
    );
    // Three reads so far (the refused export counted too), so the JSON report is still served.
    await get(`/api/v1/analytics/cost?${range}&group_by=team`, header).expect(200);
  });

  it('leaves routes outside /jobs and /analytics alone', async () => {
    const { header } = await adminAuth(t);
    for (let i = 0; i < READS; i++) await get('/api/v1/jobs', header).expect(200);
    expectRefusal(await get('/api/v1/jobs', header));
    await get('/api/v1/auth/me', header).expect(200);
    await get('/api/v1/teams', header).expect(200);
  });
});
