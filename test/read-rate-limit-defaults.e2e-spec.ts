import { adminAuth } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Read rate limit at its defaults', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const range = 'start=2026-01-01&end=2026-01-31';
  /** What one dashboard page fires at once. */
  const page = [
    '/api/v1/jobs',
    '/api/v1/jobs?status=running',
    `/api/v1/analytics/cost/by-team?${range}`,
    `/api/v1/analytics/cost/by-model?${range}`,
    `/api/v1/analytics/cost?${range}&group_by=day`,
    `/api/v1/analytics/cost?${range}&group_by=team,model`,
    '/api/v1/analytics/budgets?month=2026-01',
    '/api/v1/analytics/budgets?month=2025-12',
  ];

  it('serves 75 dashboard pages of 8 parallel calls in a minute to one user (600 reads), and refuses the 601st', async () => {
    const { header } = await adminAuth(t);
    const statuses: number[] = [];
    for (let p = 0; p < 600 / page.length; p++) {
      const answers = await Promise.all(page.map((path) => t.http.get(path).set('Authorization', header)));
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const next = await t.http.get('/api/v1/jobs').set('Authorization', header);
    expect(next.status).toBe(429);
  });
});
