import { HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard, IAuthModuleOptions } from '@nestjs/passport';
import { UserPrincipal } from '../principal';
import { INVALID_TOKEN, JWT_STRATEGY } from '../strategies/jwt.strategy';

export const TOKEN_REQUIRED = 'A bearer token is required (POST /api/v1/auth/login)';

/** No session, and the caller lands where @CurrentUser() reads it. */
const AUTHENTICATE_OPTIONS: IAuthModuleOptions = { session: false, property: 'principal' };

/** A valid bearer token (JwtStrategy); its user becomes `req.principal`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  override getAuthenticateOptions(): IAuthModuleOptions {
    return AUTHENTICATE_OPTIONS;
  }

  /**
   * Passport reports a missing token and a bad one alike (no user, an Error as info); callers
   * are told which. Errors thrown by JwtStrategy.validate (a 401, or the database failing while
   * the user is read) pass through as they are.
   */
  override handleRequest<T = UserPrincipal>(err: unknown, user: T | false, info: unknown): T {
    if (err instanceof HttpException) throw err;
    if (err) throw err instanceof Error ? err : new Error('Authentication failed');
    if (!user) {
      const noToken = info instanceof Error && info.message === 'No auth token';
      throw new UnauthorizedException(noToken ? TOKEN_REQUIRED : INVALID_TOKEN);
    }
    return user;
  }
}
