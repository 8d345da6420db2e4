import { expectErrorShape, UUID } from './support/expectations';
import { API_KEY } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Foundation: the HTTP pipeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ API_BODY_LIMIT: '1kb', BODY_LIMIT: '16kb' });
  });
  afterAll(() => t.close());

  it('answers health with 200 and a database check', async () => {
    const res = await t.http.get('/api/v1/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('echoes a caller-supplied request id', async () => {
    const res = await t.http.get('/api/v1/health').set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
  });

  it('renders an unknown route as a 404 in the common error shape', async () => {
    const res = await t.http.get('/api/v1/does-not-exist').expect(404);
    expectErrorShape(res.body, 404);
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('renders malformed JSON as a 400 naming the body', async () => {
    const res = await t.http
      .post('/api/v1/does-not-exist')
      .set('Content-Type', 'application/json')
      .send('{"bad"')
      .expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.message).toMatch(/JSON/);
  });

  it('refuses a JSON body past API_BODY_LIMIT with 413', async () => {
    const res = await t.http
      .post('/api/v1/does-not-exist')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ blob: 'x'.repeat(4096) }))
      .expect(413);
    expectErrorShape(res.body, 413);
    expect(res.body.message).toMatch(/1024 bytes/);
  });

  it('refuses a form body past API_BODY_LIMIT with 413', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .type('form')
      .send({ username: 'x'.repeat(4096), password: 'x' })
      .expect(413);
    expectErrorShape(res.body, 413);
  });

  it('takes a JSON body past API_BODY_LIMIT, up to BODY_LIMIT, only on the JSON ingestion routes', async () => {
    const snapshots = Array.from({ length: 60 }, (_, i) => ({
      entry_date: `2026-02-${String((i % 28) + 1).padStart(2, '0')}`,
      provider: `p${i}`,
      gpu_type: 'a100',
      cost_usd: 1,
    }));
    const body = JSON.stringify({ cost_snapshots: snapshots });
    expect(body.length).toBeGreaterThan(4096);
    await t.http
      .post('/api/v1/admin/ingest/costs?dry_run=true')
      .set('X-API-Key', API_KEY)
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200);
    const large = JSON.stringify({ cost_snapshots: Array.from({ length: 5 }, () => snapshots).flat() });
    const res = await t.http
      .post('/api/v1/admin/ingest/costs?dry_run=true')
      .set('X-API-Key', API_KEY)
      .set('Content-Type', 'application/json')
      .send(large)
      .expect(413);
    expect(res.body.message).toMatch(/16384 bytes/);
  });

  it('renders a body that is not the gzip it claims to be as a 400, not a 500', async () => {
    const res = await t.http
      .post('/api/v1/does-not-exist')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('{"not":"gzip"}')
      .expect(400);
    expectErrorShape(res.body, 400);
  });

  it('sets security headers (helmet)', async () => {
    const res = await t.http.get('/api/v1/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('allows only the configured CORS origins', async () => {
    const ok = await t.http.get('/api/v1/health').set('Origin', 'http://localhost:5173');
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const other = await t.http.get('/api/v1/health').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets an allowed origin send every method the routes take, DELETE included, in a preflight', async () => {
    const res = await t.http
      .options('/api/v1/capacity/00000000-0000-0000-0000-000000000000')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'DELETE');
    expect(res.status).toBe(204);
    expect(String(res.headers['access-control-allow-methods']).split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']),
    );
  });

  it('exposes Prometheus metrics with HTTP, process and pool series', async () => {
    await t.http.get('/api/v1/health');
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/health",status="200"\} \d+/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket/);
    expect(res.text).toMatch(/process_resident_memory_bytes/);
    expect(res.text).toMatch(/db_pool_connections\{state="total"\}/);
  });

  it('serves Swagger UI and an OpenAPI document declaring both security schemes', async () => {
    await t.http.get('/api/docs/').expect(200);
    const res = await t.http.get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
  });

  it('runs every database session without JIT compilation (it compiled a 0.3 ms check for 200 ms)', async () => {
    // Three statements at once take three of the pool's sessions, not one reused three times.
    const sessions = await Promise.all(
      [1, 2, 3].map(() =>
        t.db.query<{ pid: number; jit: string }[]>(
          `SELECT pg_backend_pid() AS pid, current_setting('jit') AS jit FROM pg_sleep(0.1)`,
        ),
      ),
    );
    expect(new Set(sessions.map(([s]) => s.pid)).size).toBe(3);
    expect(sessions.map(([s]) => s.jit)).toEqual(['off', 'off', 'off']);
  });

  it('has migrations that match the entities exactly (no pending schema change)', async () => {
    const pending = await t.db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});
