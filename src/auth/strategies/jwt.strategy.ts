import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { Env } from '../../config/env';
import { jwtSecretKey } from '../jwt-key';
import { UserPrincipal } from '../principal';
import { JWT_ALGORITHM, parseClaims, TokenClaims } from '../token-claims';
import { TokenUserCache } from '../token-user-cache';
import { VerifiedTokens } from '../verified-tokens';

export const JWT_STRATEGY = 'jwt';
export const INVALID_TOKEN = 'The bearer token is invalid or expired';

/**
 * Far longer than any token this app signs (about 300 characters); a longer header is no token of
 * ours, and is refused before any pattern reads it.
 */
export const AUTHORIZATION_MAX_LENGTH = 4_096;

/** `Bearer <token>` (RFC 6750), the scheme in any case; anchored, so it reads the header once. */
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * The bearer token of the request, or null. passport-jwt's own extractor matches the header with
 * an unanchored `(\S+)\s+(\S+)`, which takes time quadratic in the length of a header without
 * whitespace: 16,000 characters held the event loop for 650 ms, for anyone, before any login.
 */
export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || header.length > AUTHORIZATION_MAX_LENGTH) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

/** What passport adds to a strategy for the request it is authenticating. */
interface PassportActions {
  success(user: UserPrincipal): void;
  error(error: unknown): void;
}

/**
 * Bearer tokens: HS256 only, issuer checked, expiry required, claims of the shape this app
 * signs, and a user that still exists, is not disabled and has not changed since the token
 * was issued (same token version, role and team).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  private readonly verifiedTokens = new VerifiedTokens();

  constructor(
    config: ConfigService<Env, true>,
    private readonly users: TokenUserCache,
  ) {
    const key = jwtSecretKey(config);
    super({
      jwtFromRequest: bearerToken,
      // The typings want a string or Buffer; jsonwebtoken takes a KeyObject as well.
      secretOrKeyProvider: (_req: unknown, _token: unknown, done: (err: null, key: unknown) => void) => done(null, key),
      algorithms: [JWT_ALGORITHM],
      issuer: config.get('JWT_ISSUER', { infer: true }),
      ignoreExpiration: false,
      passReqToCallback: true,
    } as ConstructorParameters<typeof Strategy>[0]);
  }

  /**
   * A token this process has verified before skips passport-jwt's signature check (see
   * VerifiedTokens); every other token goes through it. Either way the user is checked.
   */
  override authenticate(req: Request, options?: object): void {
    const token = bearerToken(req);
    const claims = token ? this.verifiedTokens.get(token) : undefined;
    if (!claims) return super.authenticate(req, options);
    const passport = this as unknown as PassportActions;
    this.principalFor(claims).then(
      (user) => passport.success(user),
      (error: unknown) => passport.error(error),
    );
  }

  /** Called by passport-jwt once the signature, algorithm, issuer and expiry are checked. */
  async validate(req: Request, payload: unknown): Promise<UserPrincipal> {
    const claims = parseClaims(payload);
    if (!claims) throw new UnauthorizedException(INVALID_TOKEN);
    const principal = await this.principalFor(claims);
    const token = bearerToken(req);
    if (token) this.verifiedTokens.remember(token, claims, (payload as { exp: number }).exp);
    return principal;
  }

  private async principalFor(claims: TokenClaims): Promise<UserPrincipal> {
    const user = await this.users.get(claims.sub);
    if (
      !user ||
      user.disabled ||
      user.tokenVersion !== claims.ver ||
      user.role !== claims.role ||
      user.teamId !== claims.team_id
    ) {
      throw new UnauthorizedException(INVALID_TOKEN);
    }
    return { kind: 'user', id: claims.sub, email: claims.email, role: claims.role, teamId: claims.team_id };
  }
}
