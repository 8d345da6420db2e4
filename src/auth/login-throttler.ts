import { ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ThrottlerAsyncOptions,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { Env } from '../config/env';
import { normaliseEmail } from './users/users.service';

/** Who is trying: the client address (behind a trusted proxy, X-Forwarded-For) ... */
const LOGIN_BY_CLIENT = 'login-client';
/** ... and which account is tried, whatever the address, so that spreading guesses over many IPs does not help. */
const LOGIN_BY_ACCOUNT = 'login-account';

const accountOf = (req: { body?: { username?: unknown } }): string => {
  const username = req.body?.username;
  return `account:${typeof username === 'string' ? normaliseEmail(username) : ''}`;
};

/** LOGIN_RATE_LIMIT attempts per LOGIN_RATE_WINDOW seconds, counted per client and per account. */
export const loginThrottlerOptions: ThrottlerAsyncOptions = {
  inject: [ConfigService],
  useFactory: (config: ConfigService<Env, true>): ThrottlerModuleOptions => {
    const limit = config.get('LOGIN_RATE_LIMIT', { infer: true });
    const ttl = config.get('LOGIN_RATE_WINDOW', { infer: true }) * 1000;
    return {
      // The X-RateLimit-* headers would carry the throttler names; Retry-After is set on refusal instead.
      setHeaders: false,
      throttlers: [
        { name: LOGIN_BY_CLIENT, limit, ttl },
        { name: LOGIN_BY_ACCOUNT, limit, ttl, getTracker: accountOf },
      ],
    };
  },
};

/** Guards the login route only; a refusal is a 429 in the common error shape with `Retry-After`. */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    this.setResponseHeader(context.switchToHttp().getResponse(), 'Retry-After', retryAfter);
    return Promise.reject(new ThrottlerException(`Too many login attempts; try again in ${retryAfter} s`));
  }
}
