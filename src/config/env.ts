import 'reflect-metadata';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { compile as compileProxyList } from 'proxy-addr';

/**
 * Every variable Heliox reads, parsed and validated once at boot.
 * `.env.example` documents the same list; nothing else reads `process.env`.
 */

/** The development values published in `.env.example`; production refuses to start with them. */
export const EXAMPLE_SECRETS = {
  JWT_SECRET: 'heliox-dev-jwt-secret-change-in-production',
  ADMIN_API_KEY: 'heliox-admin-key-change-in-production',
  ADMIN_PASSWORD: 'admin123',
} as const;

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

// Strict integer parsing: "abc", "12abc" and "1.5" stay strings and fail @IsInt.
const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

// Decimal numbers ("4", "3.5"); anything else stays a string and fails @IsNumber.
const toDecimal = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;

const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * TRUST_PROXY in the forms Express takes for 'trust proxy': `false` (trust no proxy), a hop count,
 * or a comma list of addresses, CIDRs and the names loopback, linklocal, uniquelocal. `true`
 * (trust every hop) stays a string and is refused: it lets any client pick its own address,
 * which would void the per-client login limit.
 */
const toTrustProxy = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (v.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return toList({ value: v });
};

function isTrustProxy(value: unknown): boolean {
  if (value === false) return true;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 10;
  if (!Array.isArray(value) || !value.length || value.some((v) => typeof v !== 'string')) return false;
  try {
    compileProxyList(value as string[]);
    return true;
  } catch {
    return false;
  }
}

/** The statement timeout of every pool, the app's and those the CLIs and tests open without the app's settings. */
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 120;

export class Env {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * Bind address. Loopback unless set: a development setup is not reachable from the network by
   * accident. While any example secret is in use, an address other than loopback is refused at
   * boot (see validateEnv); the container sets 0.0.0.0 and runs in production, with real secrets.
   */
  @IsString()
  @IsNotEmpty()
  HOST = '127.0.0.1';

  /** postgres://… of an external server; unset → an embedded PostgreSQL is started. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @IsNotEmpty()
  EMBEDDED_DB_DIR = '.data/postgres';

  /** 0 picks a free port at start. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  EMBEDDED_DB_PORT = 54329;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /**
   * Seconds a statement may run (or wait for a lock) before PostgreSQL stops it: a request never
   * waits forever on a broken server or behind a long rebuild. The API answers 503 then.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  DB_STATEMENT_TIMEOUT_SECONDS = DEFAULT_STATEMENT_TIMEOUT_SECONDS;

  @IsString()
  @MinLength(16)
  JWT_SECRET: string = EXAMPLE_SECRETS.JWT_SECRET;

  /** Access token lifetime in seconds. */
  @Transform(toInteger)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  JWT_EXPIRES_IN = 3600;

  @IsString()
  @IsNotEmpty()
  JWT_ISSUER = 'heliox';

  /**
   * How long a process trusts what it read about a token's user (exists, not disabled, same
   * token version). A change made elsewhere reaches every replica within this time; 0 reads the
   * user on every request. Capped at 30: revocation is promised within 30 seconds.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(30)
  AUTH_USER_CACHE_SECONDS = 30;

  @IsString()
  @MinLength(16)
  ADMIN_API_KEY: string = EXAMPLE_SECRETS.ADMIN_API_KEY;

  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'ADMIN_EMAIL must be an e-mail address' })
  ADMIN_EMAIL = 'admin@heliox.ai';

  @IsString()
  @MinLength(6)
  ADMIN_PASSWORD: string = EXAMPLE_SECRETS.ADMIN_PASSWORD;

  /** Comma-separated origins allowed by CORS; empty → cross-origin requests are not allowed. */
  @Transform(toList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = ['http://localhost:3000', 'http://localhost:5173'];

  /**
   * Cap on the JSON body of the two JSON ingestion routes, the only ones that take many records
   * (NDJSON/CSV ingestion is streamed and capped by record count). Every other body has API_BODY_LIMIT.
   */
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 10mb' })
  BODY_LIMIT = '10mb';

  /** Most records one streamed (NDJSON/CSV) ingestion accepts; blank lines count too (an endless stream of them is stopped). */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  INGEST_MAX_RECORDS = 5_000_000;

  /**
   * Most rows one analytics answer holds (a report's groups, a trends window's); 400 naming the
   * grouping beyond. The API builds and sends 2,000 rows in about 15 ms; a grouping by day and a
   * label with a value per job makes as many rows as job-days (millions), which would hold the
   * event loop for seconds and the heap past its ceiling. The FOCUS export streams line items of
   * any number, page by page.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  REPORT_MAX_ROWS = 50_000;

  /**
   * Seconds a connection may hold an answer its client does not read before it is closed: an
   * answer waits in memory for its reader, and a client that asks for a large one (an export)
   * and never reads it would hold megabytes for good. A client that reads at all is not cut off.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  STALLED_CLIENT_SECONDS = 60;

  /** The folder the dashboard is served from at `/`; unset: dist/web of the checkout (web/build.ts writes it). */
  @IsOptional()
  @IsString()
  DASHBOARD_DIR?: string;

  /** Ingest data/mock_*.json on boot when the database has no jobs. */
  @Transform(toBoolean)
  @IsBoolean()
  SEED_DEMO_DATA = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Login attempts allowed per client IP and per account in LOGIN_RATE_WINDOW seconds. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT = 10;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  LOGIN_RATE_WINDOW = 60;

  /**
   * Cap on every JSON or form body except JSON ingestion (BODY_LIMIT). The largest such body (a
   * team with its 2,000-character description) is a few kB; a small cap means an anonymous
   * request to login cannot make the process read, parse and validate megabytes.
   */
  @Matches(/^\d+(b|kb)$/i, { message: 'API_BODY_LIMIT must look like 64kb (at most in kb)' })
  API_BODY_LIMIT = '64kb';

  // Ingestion bounds: what one upload, and one record in it, may add to the allocation.

  /**
   * Most bytes read from one streamed (NDJSON/CSV) upload; 413 beyond, after keeping what was
   * committed. Memory is flat whatever the size, so this bounds how long one request holds a
   * connection and a run, and stops uploads the record cap cannot (a few huge or blank lines).
   * 1 GiB is about INGEST_MAX_RECORDS of ordinary job lines (~200 bytes each).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  INGEST_MAX_BYTES = 1024 * 1024 * 1024;

  /**
   * Earliest day a job may start, or a cost snapshot be dated (YYYY-MM-DD). GPU jobs before it
   * are typing mistakes, and each of their days would become allocation cells.
   */
  @IsISO8601({ strict: true }, { message: 'JOB_START_FLOOR must be a date such as 2000-01-01' })
  @Matches(/^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}$/, {
    message: 'JOB_START_FLOOR must be a YYYY-MM-DD date on or after 1970-01-01',
  })
  JOB_START_FLOOR = '2000-01-01';

  /**
   * Longest a job may run, in days (end − start, or now − start for a running job). A longer
   * one is a record error: one record spanning years would add a cell per day to every refresh.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3660)
  JOB_MAX_DAYS = 366;

  // Rate limits of the read routes, and where the counters live.

  /**
   * Reads a user may make per RATE_LIMIT_WINDOW seconds across /jobs and /analytics/* (one
   * counter per user, whatever the route). Sized so a dashboard page's burst of calls, page after
   * page, stays far below it; it stops a script that loops on heavy reports. 0 turns it off.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  RATE_LIMIT_READS = 600;

  /**
   * Exports (the FOCUS CSV, and the cost report as CSV) a user may make per window, counted on
   * top of the reads: each one can stream every job-day of a range. 0 turns it off.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  RATE_LIMIT_EXPORTS = 30;

  /** Seconds of the window the read and export limits count over. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  RATE_LIMIT_WINDOW = 60;

  /**
   * redis:// (or rediss://) URL of a Redis that every API process shares its rate-limit counters
   * through (login included), so N replicas enforce one limit instead of N. Unset: counters live
   * in each process. When Redis cannot be reached the counters fall back to the process.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Prefix of every Redis key Heliox writes, so that several deployments (or test runs) can share one Redis. */
  @IsString()
  @IsNotEmpty()
  REDIS_KEY_PREFIX = 'heliox:rate-limit:';

  // Ingestion runs: how a run left behind by a dead process is told from a live one.

  /**
   * Seconds an ingestion run may go without a heartbeat from its process before a sweep marks
   * it `abandoned` (the process died, or lost the database and could not close the run). The
   * owning process refreshes its runs' heartbeat every third of this, with one query for all
   * of them, so it costs the upload nothing per batch.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(3)
  INGEST_RUN_LEASE_SECONDS = 60;

  /** Seconds between two sweeps for abandoned ingestion runs; one also runs at boot. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  INGEST_RUN_SWEEP_SECONDS = 30;

  // Safe defaults: password hashing and the proxies trusted with the client address.

  /**
   * Password hashes and checks running at once; more wait in line. Each holds one thread of
   * libuv's pool (UV_THREADPOOL_SIZE, 4 by default), which file and DNS work share, and a CPU
   * core. Unset: one less than the cores, at most 2, so the event loop keeps a core and the pool
   * keeps half its threads. Raise UV_THREADPOOL_SIZE with it.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = Math.max(1, Math.min(2, availableParallelism() - 1));

  /**
   * Which proxies may set the client address through X-Forwarded-For (Express 'trust proxy'):
   * `false`, a hop count (0-10), or a comma list of addresses, CIDRs and loopback / linklocal /
   * uniquelocal. Login limits count per client address, so only real proxies may be trusted.
   */
  @Transform(toTrustProxy)
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: isTrustProxy,
      defaultMessage: () =>
        'TRUST_PROXY must be false, a hop count 0-10, or a comma list of addresses, CIDRs, loopback, linklocal, uniquelocal',
    },
  })
  TRUST_PROXY: false | number | string[] = ['loopback'];

  // Alerts: how soon rules are evaluated and how deliveries are retried.

  /**
   * Seconds between two looks, in every API process, for days whose allocation an ingestion
   * changed (marked in the refresh's transaction); their rules are evaluated then. A look that
   * finds nothing costs one indexed query.
   */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.05)
  @Max(60)
  ALERT_EVALUATION_POLL_SECONDS = 5;

  /**
   * Seconds a report waits for the allocation to be brought up to date before it answers 503
   * with Retry-After: a rebuild, or another process's long refresh, holds the refresh for as
   * long as it runs (minutes at ten million jobs), and a report must not hang that long. Below
   * DB_STATEMENT_TIMEOUT_SECONDS: the wait for the refresh is a statement too, and past the
   * timeout the database would end it first.
   */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.05)
  @ValidateBy({
    name: 'belowStatementTimeout',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value === 'number' && value < (args?.object as Env).DB_STATEMENT_TIMEOUT_SECONDS,
      defaultMessage: () => 'READ_REFRESH_WAIT_SECONDS must be below DB_STATEMENT_TIMEOUT_SECONDS',
    },
  })
  READ_REFRESH_WAIT_SECONDS = 15;

  /**
   * Seconds without a new mark before the marked days are evaluated: the uploads of one feed (the
   * day's jobs, then its bill) are evaluated once, after the last, rather than once each and
   * alongside the next. Never more than 30 s after a process first saw the marks, however steady
   * the uploads. 0: evaluate at every look.
   */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(30)
  ALERT_EVALUATION_QUIET_SECONDS = 2;

  /**
   * Seconds between scheduled evaluations of today and yesterday (running jobs measured up to
   * now), which catch what no ingestion changed: a new rule, a new budget, a forecast moving.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  ALERT_EVALUATION_INTERVAL_SECONDS = 600;

  /** Seconds between two polls for due alert deliveries, in every API process. */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.05)
  @Max(60)
  ALERT_DELIVERY_POLL_SECONDS = 1;

  /**
   * Seconds before the first retry of a failed delivery; each later retry waits twice as long
   * (plus up to a quarter of jitter). Fractions are allowed, for tests.
   */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.05)
  ALERT_RETRY_BASE_SECONDS = 10;

  /** Attempts of a delivery (the first included) before it is `dead`. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(20)
  ALERT_MAX_ATTEMPTS = 8;

  // Anomalies: when a team's daily cost on a provider's GPU type is reported as unusual
  // (docs/decisions.md, "Anomalies").

  /**
   * Smallest change from the baseline, in whole USD, that is reported: a team whose cost moves
   * by less pages no one, however unusual the move is for it.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  ANOMALY_MIN_USD = 50;

  /**
   * Smallest robust score (|cost − expected| ÷ 1.4826 × MAD of the history) that is reported.
   * 4 keeps ordinary day-to-day noise quiet; lower finds smaller spikes and more false alarms.
   */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'ANOMALY_MIN_SCORE must be a number' })
  @Min(1)
  @Max(100)
  ANOMALY_MIN_SCORE = 4;

  /**
   * Days of history a day is judged against, a multiple of 7 so that each weekday counts as
   * often: 28 gives four of the same weekday, enough for a median that one spike cannot move.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(14)
  @Max(91)
  @ValidateBy({
    name: 'wholeWeeks',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && value % 7 === 0,
      defaultMessage: () => 'ANOMALY_WINDOW_DAYS must be a whole number of weeks (a multiple of 7)',
    },
  })
  ANOMALY_WINDOW_DAYS = 28;

  /**
   * Priced days of history (the cell had a snapshot) a day needs to be judged at all: two of each
   * weekday. Fewer, and a new team or GPU type would be judged against noise.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(7)
  @ValidateBy({
    name: 'withinWindow',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value === 'number' && value <= (args?.object as Env).ANOMALY_WINDOW_DAYS,
      defaultMessage: () => 'ANOMALY_MIN_HISTORY_DAYS must not exceed ANOMALY_WINDOW_DAYS',
    },
  })
  ANOMALY_MIN_HISTORY_DAYS = 14;
}

/** True for an address that only this machine can reach. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** A bad environment: its message names every variable at fault, and is all the user needs to see. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Parses raw environment variables into a typed, validated `Env`, or throws naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const known = Object.keys(new Env()).concat('DATABASE_URL', 'REDIS_URL');
  // Empty strings mean "unset" so that `FOO=` in a .env file falls back to the default.
  const input: Record<string, unknown> = {};
  for (const key of known) {
    const value = raw[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const env = plainToInstance(Env, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  const problems = errors.map(
    (e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  );
  if (env.NODE_ENV === 'production') {
    for (const [key, example] of Object.entries(EXAMPLE_SECRETS)) {
      if (env[key as keyof typeof EXAMPLE_SECRETS] === example) {
        problems.push(`${key}: still has the .env.example value; set a secret of your own in production`);
      }
    }
  }
  const exampleSecrets = Object.entries(EXAMPLE_SECRETS)
    .filter(([key, example]) => env[key as keyof typeof EXAMPLE_SECRETS] === example)
    .map(([key]) => key);
  if (env.NODE_ENV !== 'production' && exampleSecrets.length && !isLoopback(env.HOST)) {
    problems.push(
      `HOST=${JSON.stringify(env.HOST)}: only a loopback address while ${exampleSecrets.join(', ')} ` +
        'still have the .env.example values; set secrets of your own to listen on other addresses',
    );
  }
  if (problems.length) {
    throw new InvalidConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}
