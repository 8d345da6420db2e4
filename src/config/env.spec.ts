import { EXAMPLE_SECRETS, validateEnv } from './env';

describe('validateEnv', () => {
  it('fills every default when nothing is set', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 3000, SEED_DEMO_DATA: true, DB_POOL_SIZE: 10 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.CORS_ORIGINS).toEqual(['http://localhost:3000', 'http://localhost:5173']);
  });

  it('parses numbers, booleans and lists from strings', () => {
    const env = validateEnv({
      PORT: '8080',
      SEED_DEMO_DATA: 'false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(env.PORT).toBe(8080);
    expect(env.SEED_DEMO_DATA).toBe(false);
    expect(env.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('treats an empty value as unset', () => {
    const env = validateEnv({ DATABASE_URL: '', PORT: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '3000x'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['NODE_ENV', 'staging'],
    ['JWT_EXPIRES_IN', '10'],
    ['SEED_DEMO_DATA', 'maybe'],
    ['BODY_LIMIT', 'lots'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['RATE_LIMIT_READS', '-1'],
    ['RATE_LIMIT_WINDOW', '0'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('lists every bad variable at once', () => {
    expect(() => validateEnv({ PORT: 'abc', DB_POOL_SIZE: '0' })).toThrow(/PORT=.*\n.*DB_POOL_SIZE=/s);
  });

  it('refuses the example secrets in production, naming each', () => {
    const run = () => validateEnv({ NODE_ENV: 'production' });
    for (const name of Object.keys(EXAMPLE_SECRETS))
      expect(run).toThrow(new RegExp(`${name}: still has the .env.example value`));
  });

  it('accepts production with secrets of its own', () => {
    const env = validateEnv({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-long-production-secret-value',
      ADMIN_API_KEY: 'another-long-production-key',
      ADMIN_PASSWORD: 'correct horse battery',
    });
    expect(env.NODE_ENV).toBe('production');
  });

  it('reads REDIS_URL, and takes 0 as "off" for the read and export limits', () => {
    const env = validateEnv({ REDIS_URL: 'redis://127.0.0.1:6379/0', RATE_LIMIT_READS: '0', RATE_LIMIT_EXPORTS: '0' });
    expect(env).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379/0', RATE_LIMIT_READS: 0, RATE_LIMIT_EXPORTS: 0 });
    expect(validateEnv({}).REDIS_URL).toBeUndefined();
  });

  describe('where the API listens', () => {
    const realSecrets = {
      JWT_SECRET: 'a-long-production-secret-value',
      ADMIN_API_KEY: 'another-long-production-key',
      ADMIN_PASSWORD: 'correct horse battery',
    };

    it('listens on loopback unless told otherwise', () => {
      expect(validateEnv({}).HOST).toBe('127.0.0.1');
    });

    it.each(['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost'])(
      'takes HOST=%s with the example secrets',
      (host) => {
        expect(validateEnv({ HOST: host }).HOST).toBe(host);
      },
    );

    it.each(['0.0.0.0', '::', '192.0.2.10', 'api.example.com'])(
      'refuses HOST=%s while the example secrets are in use, naming HOST and each secret',
      (host) => {
        const run = () => validateEnv({ HOST: host, ADMIN_PASSWORD: 'a-password-of-mine' });
        expect(run).toThrow(/HOST=.*only a loopback address while JWT_SECRET, ADMIN_API_KEY still have/);
      },
    );

    it('takes any HOST with secrets of its own, in development as in production', () => {
      expect(validateEnv({ HOST: '0.0.0.0', ...realSecrets }).HOST).toBe('0.0.0.0');
      expect(validateEnv({ HOST: '0.0.0.0', NODE_ENV: 'production', ...realSecrets }).HOST).toBe('0.0.0.0');
    });
  });

  describe('TRUST_PROXY', () => {
    it('trusts the loopback proxy by default', () => {
      expect(validateEnv({}).TRUST_PROXY).toEqual(['loopback']);
    });

    it.each([
      ['false', false],
      ['0', 0],
      ['2', 2],
      ['loopback', ['loopback']],
      ['10.0.0.0/8, 192.168.1.7 ,loopback', ['10.0.0.0/8', '192.168.1.7', 'loopback']],
      ['fd00::/8,uniquelocal', ['fd00::/8', 'uniquelocal']],
    ])('reads TRUST_PROXY=%s as Express does', (value, expected) => {
      expect(validateEnv({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
    });

    it.each(['true', 'proxy.example.com', '10.0.0.1/99', '11', '-1', ','])('refuses TRUST_PROXY=%s', (value) => {
      expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY=.*must be false, a hop count/);
    });
  });

  it('caps password hashing at PASSWORD_HASH_CONCURRENCY, at least 1', () => {
    expect(validateEnv({ PASSWORD_HASH_CONCURRENCY: '3' }).PASSWORD_HASH_CONCURRENCY).toBe(3);
    expect(validateEnv({}).PASSWORD_HASH_CONCURRENCY).toBeGreaterThanOrEqual(1);
    expect(() => validateEnv({ PASSWORD_HASH_CONCURRENCY: '0' })).toThrow(/PASSWORD_HASH_CONCURRENCY=/);
  });

  describe('anomaly settings', () => {
    it('defaults to $50, a score of 4, 28 days of history and at least 14', () => {
      expect(validateEnv({})).toEqual(
        expect.objectContaining({
          ANOMALY_MIN_USD: 50,
          ANOMALY_MIN_SCORE: 4,
          ANOMALY_WINDOW_DAYS: 28,
          ANOMALY_MIN_HISTORY_DAYS: 14,
        }),
      );
    });

    it('takes a decimal score', () => {
      expect(validateEnv({ ANOMALY_MIN_SCORE: '3.5' }).ANOMALY_MIN_SCORE).toBe(3.5);
      expect(() => validateEnv({ ANOMALY_MIN_SCORE: 'high' })).toThrow(/ANOMALY_MIN_SCORE=/);
    });

    it('refuses a report wait for the allocation that the statement timeout would cut short', () => {
      expect(
        validateEnv({ READ_REFRESH_WAIT_SECONDS: '150', DB_STATEMENT_TIMEOUT_SECONDS: '300' })
          .READ_REFRESH_WAIT_SECONDS,
      ).toBe(150);
      expect(() => validateEnv({ READ_REFRESH_WAIT_SECONDS: '30', DB_STATEMENT_TIMEOUT_SECONDS: '30' })).toThrow(
        /READ_REFRESH_WAIT_SECONDS=30: READ_REFRESH_WAIT_SECONDS must be below DB_STATEMENT_TIMEOUT_SECONDS/,
      );
      expect(() => validateEnv({ READ_REFRESH_WAIT_SECONDS: '200' })).toThrow(/below DB_STATEMENT_TIMEOUT_SECONDS/);
    });

    it('refuses a window of part of a week, and a minimum history longer than the window', () => {
      expect(() => validateEnv({ ANOMALY_WINDOW_DAYS: '30' })).toThrow(/ANOMALY_WINDOW_DAYS=.*multiple of 7/);
      expect(() => validateEnv({ ANOMALY_WINDOW_DAYS: '21', ANOMALY_MIN_HISTORY_DAYS: '22' })).toThrow(
        /ANOMALY_MIN_HISTORY_DAYS=.*must not exceed ANOMALY_WINDOW_DAYS/,
      );
    });
  });
});
