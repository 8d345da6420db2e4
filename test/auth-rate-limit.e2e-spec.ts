import { expectErrorShape } from './support/expectations';
import { createTestApp, TestApp } from './support/test-app';

describe('Auth: login rate limit (per client and per account)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT: '3', LOGIN_RATE_WINDOW: '60' });
  });
  afterAll(() => t.close());

  // The app trusts X-Forwarded-For from loopback (a reverse proxy), so each test can be its own client.
  const attempt = (client: string, username: string) =>
    t.http.post('/api/v1/auth/login').set('X-Forwarded-For', client).send({ username, password: 'wrong-password' });

  it('refuses the 4th attempt from one client with 429, Retry-After and the common error shape', async () => {
    for (let i = 0; i < 3; i++) await attempt('203.0.113.1', `client-a-${i}@example.com`).expect(401);
    const res = await attempt('203.0.113.1', 'client-a-3@example.com').expect(429);
    expectErrorShape(res.body, 429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('still lets another client log in while one is blocked', async () => {
    for (let i = 0; i < 4; i++) await attempt('203.0.113.2', `client-b-${i}@example.com`);
    await t.http
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', '203.0.113.3')
      .send({ username: 'admin@heliox.ai', password: 'admin123' })
      .expect(200);
  });

  it('refuses the 4th attempt on one account even when each comes from a new client', async () => {
    for (let i = 0; i < 3; i++) await attempt(`198.51.100.${i + 1}`, 'target@example.com').expect(401);
    const res = await attempt('198.51.100.99', 'Target@Example.com ').expect(429);
    expectErrorShape(res.body, 429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('does not throttle other routes', async () => {
    for (let i = 0; i < 5; i++) await t.http.get('/api/v1/health').set('X-Forwarded-For', '203.0.113.1').expect(200);
  });
});
