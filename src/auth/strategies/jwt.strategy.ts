import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Env } from '../../config/env';
import { jwtSecretKey } from '../jwt-key';
import { UserPrincipal } from '../principal';
import { JWT_ALGORITHM, parseClaims } from '../token-claims';
import { TokenUserCache } from '../token-user-cache';

export const JWT_STRATEGY = 'jwt';
export const INVALID_TOKEN = 'The bearer token is invalid or expired';

/**
 * Bearer tokens: HS256 only, issuer checked, expiry required, claims of the shape this app
 * signs, and a user that still exists, is not disabled and has not changed since the token
 * was issued (same token version, role and team).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    config: ConfigService<Env, true>,
    private readonly users: TokenUserCache,
  ) {
    const key = jwtSecretKey(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The typings want a string or Buffer; jsonwebtoken takes a KeyObject as well.
      secretOrKeyProvider: (_req: unknown, _token: unknown, done: (err: null, key: unknown) => void) => done(null, key),
      algorithms: [JWT_ALGORITHM],
      issuer: config.get('JWT_ISSUER', { infer: true }),
      ignoreExpiration: false,
    } as ConstructorParameters<typeof Strategy>[0]);
  }

  async validate(payload: unknown): Promise<UserPrincipal> {
    const claims = parseClaims(payload);
    if (!claims) throw new UnauthorizedException(INVALID_TOKEN);
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
