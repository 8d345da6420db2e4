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
});
