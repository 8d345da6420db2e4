import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AccessLevel, ACCESS_LEVEL, API_KEY_HEADER } from '../access.decorators';
import { AdminGuard } from './admin.guard';
import { ApiKeyGuard } from './api-key.guard';
import { JwtAuthGuard } from './jwt-auth.guard';

/**
 * The one global guard (APP_GUARD), deny by default: it picks the named guard of the route's
 * access level. A route without a decorator needs a valid JWT, like @Authenticated().
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthGuard,
    private readonly apiKey: ApiKeyGuard,
    private readonly admin: AdminGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level =
      this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_LEVEL, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'user';
    switch (level) {
      case 'public':
        return true;
      case 'api-key':
        return this.apiKey.canActivate(context);
      case 'user':
        return this.authenticate(context);
      case 'admin':
        return (await this.authenticate(context)) && this.admin.canActivate(context);
      case 'admin-or-api-key':
        // A request that presents a key is judged by its key alone, never by a token beside it.
        return hasApiKey(context)
          ? this.apiKey.canActivate(context)
          : (await this.authenticate(context)) && this.admin.canActivate(context);
      default:
        return assertUnreachable(level);
    }
  }

  /** Passport's guard always answers with a promise; its type admits an Observable. */
  private authenticate(context: ExecutionContext): Promise<boolean> {
    return this.jwt.canActivate(context) as Promise<boolean>;
  }
}

function hasApiKey(context: ExecutionContext): boolean {
  return context.switchToHttp().getRequest<Request>().headers[API_KEY_HEADER.toLowerCase()] !== undefined;
}

function assertUnreachable(level: never): never {
  throw new Error(`Unknown access level ${String(level)}`);
}
