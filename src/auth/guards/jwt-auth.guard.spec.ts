import { ForbiddenException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { ExecutionContext } from '@nestjs/common';
import { INVALID_TOKEN } from '../strategies/jwt.strategy';
import { ADMIN_REQUIRED, AdminGuard } from './admin.guard';
import { JwtAuthGuard, TOKEN_REQUIRED } from './jwt-auth.guard';

describe('JwtAuthGuard.handleRequest', () => {
  const guard = new JwtAuthGuard();
  const principal = { kind: 'user', id: 'u', email: 'e', role: 'member', teamId: 't' };

  it('passes the user through', () => {
    expect(guard.handleRequest(null, principal, undefined)).toBe(principal);
  });

  it('asks for a token when none was sent', () => {
    expect(() => guard.handleRequest(null, false, new Error('No auth token'))).toThrow(
      new UnauthorizedException(TOKEN_REQUIRED),
    );
  });

  it('calls a token that fails verification invalid or expired', () => {
    expect(() => guard.handleRequest(null, false, new Error('jwt expired'))).toThrow(
      new UnauthorizedException(INVALID_TOKEN),
    );
  });

  it('lets an error of the user lookup (a database outage) through as it is', () => {
    const outage = new ServiceUnavailableException('down');
    expect(() => guard.handleRequest(outage, false, undefined)).toThrow(outage);
  });
});

describe('AdminGuard', () => {
  const contextWith = (principal: unknown) =>
    ({ switchToHttp: () => ({ getRequest: () => ({ principal }) }) }) as unknown as ExecutionContext;
  const guard = new AdminGuard();

  it('lets an admin in', () => {
    expect(guard.canActivate(contextWith({ kind: 'user', role: 'admin' }))).toBe(true);
  });

  it.each([
    ['a member', { kind: 'user', role: 'member' }],
    ['the api-key principal', { kind: 'api-key' }],
    ['nobody', undefined],
  ])('refuses %s with a 403', (_, principal) => {
    expect(() => guard.canActivate(contextWith(principal))).toThrow(new ForbiddenException(ADMIN_REQUIRED));
  });
});
