import { UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ConfigService } from '@nestjs/config';
import { Env } from '../../config/env';
import { TokenUser, TokenUserCache } from '../token-user-cache';
import { AUTHORIZATION_MAX_LENGTH, bearerToken, INVALID_TOKEN, JwtStrategy } from './jwt.strategy';

const USER_ID = '5b0c4a1e-7d2f-4c3b-9a8e-1f2d3c4b5a60';
const TEAM_ID = '8e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b';

const config = {
  get: (key: keyof Env) => ({ JWT_SECRET: 'a-secret-of-enough-length', JWT_ISSUER: 'heliox' })[key as string],
} as unknown as ConfigService<Env, true>;

function strategyWith(user: TokenUser | null): JwtStrategy {
  const cache = { get: jest.fn().mockResolvedValue(user) } as unknown as TokenUserCache;
  return new JwtStrategy(config, cache);
}

const member: TokenUser = { id: USER_ID, role: 'member', teamId: TEAM_ID, disabled: false, tokenVersion: 3 };
const claims = (over: Record<string, unknown> = {}) => ({
  sub: USER_ID,
  email: 'ada@example.com',
  role: 'member',
  team_id: TEAM_ID,
  ver: 3,
  iss: 'heliox',
  iat: 1_700_000_000,
  exp: 1_700_003_600,
  ...over,
});

/** validate() reads the request only to remember the token it verified. */
const request = { headers: {} } as Request;

const refused = (strategy: JwtStrategy, payload: unknown) =>
  expect(strategy.validate(request, payload)).rejects.toEqual(new UnauthorizedException(INVALID_TOKEN));

describe('JwtStrategy.validate', () => {
  it('turns the claims of an unchanged user into the principal', async () => {
    await expect(strategyWith(member).validate(request, claims())).resolves.toEqual({
      kind: 'user',
      id: USER_ID,
      email: 'ada@example.com',
      role: 'member',
      teamId: TEAM_ID,
    });
  });

  it('refuses a token without an expiry', () => refused(strategyWith(member), claims({ exp: undefined })));

  it.each([
    ['a sub that is not a uuid', { sub: 'admin' }],
    ['a team_id that is not a uuid', { team_id: 'team-a' }],
    ['an unknown role', { role: 'owner' }],
    ['no role', { role: undefined }],
    ['no team_id', { team_id: undefined }],
    ['no e-mail', { email: undefined }],
    ['no token version', { ver: undefined }],
    ['a token version that is not an integer', { ver: '3' }],
  ])('refuses claims with %s', (_, over) => refused(strategyWith(member), claims(over)));

  it('refuses a payload that is not an object', () => refused(strategyWith(member), 'sub'));

  it('refuses a token issued before the token version changed', () =>
    refused(strategyWith({ ...member, tokenVersion: 4 }), claims()));

  it('refuses the token of a disabled user', () => refused(strategyWith({ ...member, disabled: true }), claims()));

  it('refuses the token of a user that no longer exists', () => refused(strategyWith(null), claims()));

  it('refuses claims that disagree with the stored role or team, even at the same version', async () => {
    await refused(strategyWith({ ...member, role: 'admin', teamId: null }), claims());
    await refused(strategyWith({ ...member, teamId: '00000000-0000-4000-8000-000000000000' }), claims());
  });
});

const withAuthorization = (authorization?: string) => ({ headers: { authorization } }) as unknown as Request;

describe('bearerToken', () => {
  it('reads the token of a Bearer header, the scheme in any case', () => {
    expect(bearerToken(withAuthorization('Bearer abc.def.ghi'))).toBe('abc.def.ghi');
    expect(bearerToken(withAuthorization('bearer abc.def.ghi'))).toBe('abc.def.ghi');
    expect(bearerToken(withAuthorization('BEARER \tabc.def.ghi '))).toBe('abc.def.ghi');
  });

  it('finds no token in another scheme, a bare value, extra words or no header', () => {
    expect(bearerToken(withAuthorization('Basic dXNlcjpwYXNz'))).toBeNull();
    expect(bearerToken(withAuthorization('abc.def.ghi'))).toBeNull();
    expect(bearerToken(withAuthorization('Bearer abc def'))).toBeNull();
    expect(bearerToken(withAuthorization('Bearer'))).toBeNull();
    expect(bearerToken(withAuthorization('xBearer abc'))).toBeNull();
    expect(bearerToken(withAuthorization(undefined))).toBeNull();
  });

  it('finds no token in a header longer than any token this app signs', () => {
    const long = `Bearer ${'a'.repeat(AUTHORIZATION_MAX_LENGTH)}`;
    expect(bearerToken(withAuthorization(long))).toBeNull();
    expect(bearerToken(withAuthorization(long.slice(0, AUTHORIZATION_MAX_LENGTH)))).toBe(
      'a'.repeat(AUTHORIZATION_MAX_LENGTH - 'Bearer '.length),
    );
  });
});
