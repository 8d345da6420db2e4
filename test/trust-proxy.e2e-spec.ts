import { createTestApp, TestApp } from './support/test-app';

/** TRUST_PROXY decides whose X-Forwarded-For names the client; the per-client login limit shows which. */
describe('TRUST_PROXY=false: no proxy may set the client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'false', LOGIN_RATE_LIMIT: '2', LOGIN_RATE_WINDOW: '60' });
  });
  afterAll(() => t.close());

  it('counts attempts that claim other addresses as one client: the 3rd is refused', async () => {
    const attempt = (i: number) =>
      t.http
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', `203.0.113.${i + 1}`)
        .send({ username: `someone-${i}@example.com`, password: 'wrong-password' });
    await attempt(0).expect(401);
    await attempt(1).expect(401);
    await attempt(2).expect(429);
  });
});
