import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { UserRole } from './users/user.entity';

/** A person, authenticated by a JWT. */
export interface UserPrincipal {
  kind: 'user';
  id: string;
  email: string;
  role: UserRole;
  /** The member's team; null for admins. */
  teamId: string | null;
}

/** A machine, authenticated by the admin API key. */
interface ApiKeyPrincipal {
  kind: 'api-key';
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** The authenticated caller of a JWT route. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): UserPrincipal => {
  return ctx.switchToHttp().getRequest<{ principal: UserPrincipal }>().principal;
});
