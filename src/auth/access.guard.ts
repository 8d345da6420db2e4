import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { Env } from '../config/env';
import { AccessLevel, ACCESS_LEVEL } from './access.decorators';
import { Principal, UserPrincipal } from './principal';
import { JWT_ALGORITHM, TokenClaims } from './token-claims';

/**
 * The one global guard (APP_GUARD): every route needs a valid JWT unless it says otherwise
 * with @Public(), @ApiKeyAuth() or @AdminOnly().
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly apiKeyDigest: Buffer;
  private readonly issuer: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    config: ConfigService<Env, true>,
  ) {
    this.apiKeyDigest = sha256(config.get('ADMIN_API_KEY', { infer: true }));
    this.issuer = config.get('JWT_ISSUER', { infer: true });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level =
      this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_LEVEL, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'user';
    if (level === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();

    if (level === 'api-key') {
      req.principal = this.checkApiKey(req);
      return true;
    }
    const user = await this.checkBearer(req);
    if (level === 'admin' && user.role !== 'admin') {
      throw new ForbiddenException('This action needs the admin role');
    }
    req.principal = user;
    return true;
  }

  private checkApiKey(req: Request): Principal {
    const presented = req.header('x-api-key');
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!presented || !timingSafeEqual(sha256(presented), this.apiKeyDigest)) {
      throw new UnauthorizedException('A valid X-API-Key header is required');
    }
    return { kind: 'api-key' };
  }

  private async checkBearer(req: Request): Promise<UserPrincipal> {
    const [scheme, token] = (req.header('authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException('A bearer token is required (POST /api/v1/auth/login)');
    }
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: [JWT_ALGORITHM], issuer: this.issuer });
    } catch {
      throw new UnauthorizedException('The bearer token is invalid or expired');
    }
    if (typeof claims.sub !== 'string' || (claims.role !== 'admin' && claims.role !== 'member')) {
      throw new UnauthorizedException('The bearer token is invalid or expired');
    }
    return { kind: 'user', id: claims.sub, email: claims.email, role: claims.role, teamId: claims.team_id ?? null };
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
