import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../../config/env';
import { API_KEY_REQUIRED, ApiKeyGuard } from './api-key.guard';

const KEY = 'the-admin-key-of-this-test';
const guard = new ApiKeyGuard({ get: () => KEY } as unknown as ConfigService<Env, true>);

function contextWith(headers: Record<string, string>) {
  const req = { principal: undefined as unknown, header: (name: string) => headers[name.toLowerCase()] };
  const context = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { req, context };
}

describe('ApiKeyGuard', () => {
  it('lets the right key in as the api-key principal', () => {
    const { req, context } = contextWith({ 'x-api-key': KEY });
    expect(guard.canActivate(context)).toBe(true);
    expect(req.principal).toEqual({ kind: 'api-key' });
  });

  it.each([
    ['a wrong key of the same length', { 'x-api-key': KEY.replace(/.$/, 'X') }],
    ['a shorter key', { 'x-api-key': KEY.slice(0, 5) }],
    ['a longer key', { 'x-api-key': `${KEY}-and-more` }],
    ['an empty key', { 'x-api-key': '' }],
    ['no key', {}],
  ])('refuses %s with a 401', (_, headers) => {
    const { req, context } = contextWith(headers);
    expect(() => guard.canActivate(context)).toThrow(new UnauthorizedException(API_KEY_REQUIRED));
    expect(req.principal).toBeUndefined();
  });
});
