import { ConfigService } from '@nestjs/config';
import { validateEnv } from '../config/env';
import type { RateLimitStore } from './rate-limit-store';
import { rateLimitOptions } from './rate-limits';

const throttlerNames = (raw: Record<string, string>) => {
  const options = rateLimitOptions(new ConfigService(validateEnv(raw)), {} as RateLimitStore);
  return Array.isArray(options) ? [] : options.throttlers.map((t) => t.name);
};

describe('rateLimitOptions', () => {
  it('has the login, read and export limits by default', () => {
    expect(throttlerNames({})).toEqual(['login-client', 'login-account', 'reads', 'exports']);
  });

  it('drops a read or export limit set to 0 (off), keeping login', () => {
    expect(throttlerNames({ RATE_LIMIT_READS: '0' })).toEqual(['login-client', 'login-account', 'exports']);
    expect(throttlerNames({ RATE_LIMIT_READS: '0', RATE_LIMIT_EXPORTS: '0' })).toEqual([
      'login-client',
      'login-account',
    ]);
  });
});
