import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { Env } from '../../config/env';
import { Principal } from '../principal';

export const API_KEY_REQUIRED = 'A valid X-API-Key header is required';

/** The admin API key in `X-API-Key`; the caller becomes the `api-key` principal. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keyDigest: Buffer;

  constructor(config: ConfigService<Env, true>) {
    this.keyDigest = sha256(config.get('ADMIN_API_KEY', { infer: true }));
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const presented = req.header('x-api-key');
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!presented || !timingSafeEqual(sha256(presented), this.keyDigest)) {
      throw new UnauthorizedException(API_KEY_REQUIRED);
    }
    req.principal = { kind: 'api-key' };
    return true;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
