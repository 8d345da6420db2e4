import { Pool } from 'pg';
import { isDatabaseUnavailable } from '../src/common/errors/database-errors';
import { expectErrorShape } from './support/expectations';
import { API_KEY } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';
import { serverUrl } from './support/test-database';

describe('Foundation: losing the database', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = TcpProxy.forUrl(serverUrl());
    await proxy.start();
    // The app reaches its database only through the proxy.
    t = await createTestApp({}, { routeDatabase: (url) => proxy.wrap(url) });
  });
  afterAll(async () => {
    await proxy.start();
    await t.close();
    await proxy.stop();
  });

  it('answers 503 while the database is gone and 200 again when it is back, without a restart', async () => {
    await t.http.get('/api/v1/health').expect(200);
    await proxy.stop();
    const down = await t.http.get('/api/v1/health').expect(503);
    expectErrorShape(down.body, 503);
    expect(down.headers['retry-after']).toBe('5');
    // Any route that needs the database says so the same way, and when to try again.
    const read = await t.http.get('/api/v1/admin/ingestions').set('X-API-Key', API_KEY).expect(503);
    expectErrorShape(read.body, 503);
    expect(read.body.message).toContain('database is unavailable');
    expect(read.headers['retry-after']).toBe('5');
    await proxy.start();
    await t.http.get('/api/v1/health').expect(200);
  });

  it('a transaction whose session ends between two statements fails as the database being unavailable (503), not as a bug', async () => {
    const runner = t.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    // The server ends the idle session (57P01, as a restart does): pg reports it as the
    // connection's error, and TypeORM releases the runner the transaction was using.
    await t.db.query('SELECT pg_terminate_backend($1)', [pid]);
    const deadline = Date.now() + 5_000;
    while (!runner.isReleased && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(runner.isReleased).toBe(true);

    const next = await runner.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(next).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(next)).toBe(true);
  });

  it('a pooled connection whose session the server ends while nobody holds a listener on it does not end the process', async () => {
    // Handed out by the pool and not yet taken by a query runner: the pool has stopped listening.
    const pool = (t.db.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const ended = new Promise((resolve) => client.once('end', resolve));
    await t.db.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
    client.release(true);
    await t.http.get('/api/v1/health').expect(200);
  }, 15_000);
});
