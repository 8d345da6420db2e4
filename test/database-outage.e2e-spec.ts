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
});
