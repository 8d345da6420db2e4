import { applyDecorators, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import {
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerOptions,
} from '@nestjs/throttler';
import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import { normaliseEmail } from '../auth/users/users.service';
import { ErrorResponse } from '../common/errors/error-response';
import { Env } from '../config/env';
import { RateLimitStore } from './rate-limit-store';

/**
 * Every rate limit is a named @nestjs/throttler throttler, counted in one store (RateLimitStore)
 * and enforced by one guard (RateLimitGuard). A route says which limits apply to it with the
 * decorators below; the guard skips the others.
 */

/** Login: who is trying (the client address; behind a trusted proxy, X-Forwarded-For) ... */
const LOGIN_BY_CLIENT = 'login-client';
/** ... and which account is tried, whatever the address, so that spreading guesses over many IPs does not help. */
const LOGIN_BY_ACCOUNT = 'login-account';
/** Reads of /jobs and /analytics/*: one counter per caller across all those routes. */
const READS = 'reads';
/** Exports: a second, smaller counter per caller. */
const EXPORTS = 'exports';

const LOGIN_ROUTE = 'heliox:rate-limit:login';
const READ_ROUTE = 'heliox:rate-limit:read';
const EXPORT_ROUTE = 'heliox:rate-limit:export';

/** `true`, or whether this request is an export (one route can answer both JSON and CSV). */
type ExportWhen = true | ((req: Request) => boolean);

const reflector = new Reflector();
const routeMark = <T>(key: string, context: ExecutionContext): T | undefined =>
  reflector.getAllAndOverride<T | undefined>(key, [context.getHandler(), context.getClass()]);

const isLogin = (context: ExecutionContext) => routeMark<boolean>(LOGIN_ROUTE, context) === true;
const isRead = (context: ExecutionContext) => routeMark<boolean>(READ_ROUTE, context) === true;
const isExport = (context: ExecutionContext): boolean => {
  const when = routeMark<ExportWhen>(EXPORT_ROUTE, context);
  return when === true || (typeof when === 'function' && when(context.switchToHttp().getRequest<Request>()));
};

const accountOf = (req: { body?: { username?: unknown } }): string => {
  const username = req.body?.username;
  return `account:${typeof username === 'string' ? normaliseEmail(username) : ''}`;
};

/**
 * The caller, not its address: the JWT's user, or the API key for machines. The guard runs after
 * the access guard, so a principal is always there; the address is only a fallback.
 */
const callerOf = (req: { principal?: Principal; ip?: string }): string => {
  const principal = req.principal;
  if (principal?.kind === 'user') return `user:${principal.id}`;
  if (principal?.kind === 'api-key') return 'api-key';
  return `ip:${req.ip ?? ''}`;
};

/** One counter per caller and limit, whichever route was called (the default key includes the route). */
const perCaller = (_context: ExecutionContext, tracker: string, throttler: string) => `${throttler}:${tracker}`;

/** The throttlers, from the configuration; a read or export limit of 0 is no throttler at all. */
export function rateLimitOptions(config: ConfigService<Env, true>, store: RateLimitStore): ThrottlerModuleOptions {
  const login = {
    limit: config.get('LOGIN_RATE_LIMIT', { infer: true }),
    ttl: config.get('LOGIN_RATE_WINDOW', { infer: true }) * 1000,
    skipIf: (context: ExecutionContext) => !isLogin(context),
  };
  const ttl = config.get('RATE_LIMIT_WINDOW', { infer: true }) * 1000;
  const reads = config.get('RATE_LIMIT_READS', { infer: true });
  const exports = config.get('RATE_LIMIT_EXPORTS', { infer: true });
  const throttlers: ThrottlerOptions[] = [
    { name: LOGIN_BY_CLIENT, ...login },
    { name: LOGIN_BY_ACCOUNT, ...login, getTracker: accountOf },
  ];
  const perUser = { ttl, getTracker: callerOf, generateKey: perCaller };
  if (reads > 0) throttlers.push({ name: READS, limit: reads, ...perUser, skipIf: (c) => !isRead(c) });
  if (exports > 0) throttlers.push({ name: EXPORTS, limit: exports, ...perUser, skipIf: (c) => !isExport(c) });
  // The X-RateLimit-* headers would carry the throttler names; Retry-After is set on refusal instead.
  return { storage: store, setHeaders: false, throttlers };
}

/** The one rate-limit guard; a refusal is a 429 in the common error shape with `Retry-After` (seconds). */
@Injectable()
class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    this.setResponseHeader(context.switchToHttp().getResponse(), 'Retry-After', retryAfter);
    return Promise.reject(new ThrottlerException(refusal(context, detail, retryAfter)));
  }
}

function refusal(context: ExecutionContext, detail: ThrottlerLimitDetail, retryAfter: number): string {
  if (isLogin(context)) return `Too many login attempts; try again in ${retryAfter} s`;
  // Per-caller keys start with their throttler's name (perCaller).
  const what = detail.key.startsWith(`${EXPORTS}:`) ? 'exports' : 'requests';
  return `Too many ${what}: at most ${detail.limit} per ${detail.ttl / 1000} s for each user; try again in ${retryAfter} s`;
}

const tooManyRequests = (description: string) =>
  ApiTooManyRequestsResponse({
    description,
    type: ErrorResponse,
    headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
  });

/** Login: LOGIN_RATE_LIMIT attempts per LOGIN_RATE_WINDOW seconds, per client and per account. */
export const LoginRateLimited = () =>
  applyDecorators(
    SetMetadata(LOGIN_ROUTE, true),
    UseGuards(RateLimitGuard),
    tooManyRequests('Too many attempts from this client or for this account'),
  );

/** Every route of a read controller: RATE_LIMIT_READS calls per RATE_LIMIT_WINDOW seconds per user. */
export const ReadRateLimited = () =>
  applyDecorators(
    SetMetadata(READ_ROUTE, true),
    UseGuards(RateLimitGuard),
    tooManyRequests(
      'More than RATE_LIMIT_READS reads (or, for an export, RATE_LIMIT_EXPORTS exports) by this user in RATE_LIMIT_WINDOW seconds',
    ),
  );

/**
 * An export route inside a @ReadRateLimited() controller (whose guard counts it, and whose 429
 * documents it): it also counts against RATE_LIMIT_EXPORTS, always or when `when(req)` says the
 * request is an export.
 */
export const ExportRateLimited = (when: ExportWhen = true) => SetMetadata(EXPORT_ROUTE, when);
