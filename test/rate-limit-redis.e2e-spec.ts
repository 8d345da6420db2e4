import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { adminAuth } from './support/factories';
import { dropKeysAndQuit, keysUnder, requireRedis, TEST_REDIS_URL, uniqueKeyPrefix } from './support/redis';
import { TcpProxy } from './support/tcp-proxy';
import { createTestApp, TestApp } from './support/test-app';

const READS = 4;

/**
 * The app reaches Redis through a proxy the suite can cut, to see what a careful operator expects:
 * boot does not wait for Redis, requests are never refused or failed because of it, and while it
 * is gone every process still enforces the limits on its own.
 */
describe('Rate limits through Redis, and without it', () => {
  let t: TestApp;
  let redis: Redis;
  let bootMs: number;
  const prefix = uniqueKeyPrefix('redis-outage');
  const proxy = TcpProxy.forUrl(TEST_REDIS_URL);
  const warnings = jest.spyOn(Logger.prototype, 'warn');

  beforeAll(async () => {
    redis = await requireRedis();
    // Take a port for the proxy, then close it: Redis is unreachable when the app boots.
    await proxy.start();
    const url = proxy.wrap(TEST_REDIS_URL);
    await proxy.stop();
    const started = Date.now();
    t = await createTestApp({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_READS: String(READS) });
    bootMs = Date.now() - started;
  });
  afterAll(async () => {
    await t?.close();
    await proxy.stop();
    if (redis) await dropKeysAndQuit(redis, prefix);
  });

  const hitsOf = (userId: string) => redis.get(`{${prefix}reads:user:${userId}:reads}:hits`);
  const read = (header: string) => t.http.get('/api/v1/jobs').set('Authorization', header);

  async function expectLimitHeld(header: string) {
    for (let i = 0; i < READS; i++) await read(header).expect(200);
    const refused = await read(header).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }

  it('boots without waiting for an unreachable Redis, says so, and still enforces the limit in the process', async () => {
    // The connection attempt gives up after 2 s; the rest is the app's usual boot. Generous on purpose.
    expect(bootMs).toBeLessThan(30_000);
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/Redis at .* is unreachable.*counted per process/));
    await expectLimitHeld((await adminAuth(t)).header);
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });

  it('shares the counters through Redis once it is reachable: a count another process made there is honoured', async () => {
    await proxy.start();
    const { user, header } = await adminAuth(t);
    // ioredis reconnects in the background (at most every 5 s); until then reads count in memory.
    const deadline = Date.now() + 20_000;
    while ((await hitsOf(user.id)) === null) {
      if (Date.now() > deadline) throw new Error('the app did not go back to Redis within 20 s');
      await read(header).expect(200);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await hitsOf(user.id)).toBe('1');
    // As if another process had served the rest of this user's window.
    await redis.set(`{${prefix}reads:user:${user.id}:reads}:hits`, String(READS), 'KEEPTTL');
    await read(header).expect(429);
  });

  it('answers every request when Redis goes away mid-run, and each process keeps the limit on its own', async () => {
    const { header } = await adminAuth(t);
    await read(header).expect(200);
    warnings.mockClear();
    await proxy.stop();
    await expectLimitHeld((await adminAuth(t)).header);
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/Redis at .* is unreachable/));
  });
});
