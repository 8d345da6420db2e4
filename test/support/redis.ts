import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/**
 * The Redis that suites sharing rate limits run against: HELIOX_TEST_REDIS_URL, or the machine's
 * Redis (CI starts it in .ci/run). These suites skip nothing: without Redis they fail, saying so.
 */
export const TEST_REDIS_URL = process.env.HELIOX_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Connects to the test Redis or throws a message that says what is missing and how to start it. */
export async function requireRedis(): Promise<Redis> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined); // reported by connect() below
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw new Error(
      `This suite needs Redis at ${TEST_REDIS_URL} (set HELIOX_TEST_REDIS_URL to use another) and could not reach it: ` +
        `${(error as Error).message.replace(/\.$/, '')}. Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    );
  }
}

/** A key prefix of this suite's own, so suites running in parallel never share a counter. */
export const uniqueKeyPrefix = (suite: string) => `heliox-test:${suite}:${randomBytes(6).toString('hex')}:`;

/** The keys written under a prefix. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Removes what a suite wrote, and closes its connection. */
export async function dropKeysAndQuit(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length) await client.del(...keys);
  await client.quit();
}
