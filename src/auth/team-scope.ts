import { ForbiddenException } from '@nestjs/common';
import { UserPrincipal } from './principal';

/**
 * The team filter a caller may use. Admins: the team they asked for (or all, undefined).
 * Members: always their own team; asking for another team is refused, never answered.
 */
export function scopeToTeam(user: UserPrincipal, requestedTeamId?: string): string | undefined {
  if (user.role === 'admin') return requestedTeamId;
  if (!user.teamId) throw new ForbiddenException('This account belongs to no team');
  // UUIDs are case-insensitive; the account's is stored lower-case, as PostgreSQL writes it.
  if (requestedTeamId && requestedTeamId.toLowerCase() !== user.teamId) {
    throw new ForbiddenException("Members can only see their own team's data");
  }
  return user.teamId;
}
