import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { Env } from '../config/env';

/** A connection attempt (at boot or after a drop) gives up after this long; boot never waits longer. */
const CONNECT_TIMEOUT_MS = 2_000;
/** Boot waits at most this long for the first connection (and its ready check), then goes on without Redis. */
const BOOT_WAIT_MS = 3_000;
/** A request waits at most this long for a counter before it is counted in the process instead. */
const COMMAND_TIMEOUT_MS = 500;
/** After a failed or slow command, counters stay in the process this long before Redis is tried again. */
const RETRY_AFTER_FAILURE_MS = 5_000;

type Counter = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The counters of every rate limit (login, reads, exports). With REDIS_URL they live in Redis,
 * shared by every API process; without it, in this process.
 *
 * When Redis cannot be reached, requests are neither refused nor delayed for it: each process
 * counts in its own memory (the limits still hold, per process, as without Redis) and says so
 * once in the log, and goes back to Redis when it answers again. A rate limit guards the API
 * against a client; it should not turn a cache outage into an API outage.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private started?: Promise<void>;
  private readonly logger = new Logger('RateLimits');
  private readonly memory = new ThrottlerStorageService();
  private readonly prefix: string;
  private readonly client?: Redis;
  private readonly shared?: ThrottlerStorageRedisService;
  private readonly where: string;
  /** True while counting in memory because Redis failed; logged once per outage. */
  private degraded = false;
  private skipRedisUntil = 0;
  private closing = false;

  constructor(config: ConfigService<Env, true>) {
    this.prefix = config.get('REDIS_KEY_PREFIX', { infer: true });
    const url = config.get('REDIS_URL', { infer: true });
    this.where = url ? redact(url) : 'memory';
    if (!url) return;
    this.client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Fail at once while disconnected instead of queueing requests behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Keeps reconnecting in the background, at most every 5 s.
      retryStrategy: (attempt) => Math.min(attempt * 250, 5_000),
    });
    // ioredis reports every failed reconnect; one line per outage is enough (see fallBack).
    this.client.on('error', (error: Error) => this.fallBack(error.message));
    this.client.on('close', () => this.closing || this.fallBack('connection lost'));
    this.client.on('ready', () => this.recovered());
    this.shared = new ThrottlerStorageRedisService(this.client);
  }

  /**
   * The store is a provider of its own module and, as the throttler's storage, of
   * ThrottlerModule's too, so Nest calls this hook twice: the second call must not connect again
   * (ioredis refuses, and that refusal read as Redis being down).
   */
  onModuleInit(): Promise<void> {
    return (this.started ??= this.start());
  }

  private async start(): Promise<void> {
    if (!this.client) {
      this.logger.log('Rate limits are counted per process (REDIS_URL is unset)');
      return;
    }
    try {
      // connect() settles on its own once ioredis gives up, but boot is never left to depend on that.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${BOOT_WAIT_MS} ms`)), BOOT_WAIT_MS);
      });
      await Promise.race([this.client.connect(), deadline]).finally(() => clearTimeout(timer));
      this.logger.log(`Rate limits are shared through Redis at ${this.where}`);
    } catch (error) {
      this.fallBack((error as Error).message);
    }
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<Counter> {
    const prefixed = this.prefix + key;
    if (this.shared && this.client?.status === 'ready' && Date.now() >= this.skipRedisUntil) {
      try {
        const counter = await this.shared.increment(prefixed, ttl, limit, blockDuration, name);
        if (this.degraded) this.recovered();
        return counter;
      } catch (error) {
        this.skipRedisUntil = Date.now() + RETRY_AFTER_FAILURE_MS;
        this.fallBack((error as Error).message);
      }
    }
    return this.memory.increment(prefixed, ttl, limit, blockDuration, name);
  }

  async onApplicationShutdown(): Promise<void> {
    this.memory.onApplicationShutdown();
    this.closing = true;
    if (this.client && this.client.status !== 'end') {
      await this.client.quit().catch(() => this.client?.disconnect());
    }
  }

  private fallBack(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis at ${this.where} is unreachable (${reason}); rate limits are counted per process until it is back`,
    );
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.skipRedisUntil = 0;
    this.logger.log(`Redis at ${this.where} is reachable again; rate limits are shared`);
  }
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured REDIS_URL';
  }
}
