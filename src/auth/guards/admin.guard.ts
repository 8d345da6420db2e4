import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Principal } from '../principal';

export const ADMIN_REQUIRED = 'This action needs the admin role';

/** After JwtAuthGuard: the caller has the admin role. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { principal } = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (principal?.kind !== 'user' || principal.role !== 'admin') throw new ForbiddenException(ADMIN_REQUIRED);
    return true;
  }
}
