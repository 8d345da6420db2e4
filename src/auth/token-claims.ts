import type { UserRole } from './users/user.entity';

/** Pinned: a token signed with any other algorithm (or `none`) is refused. */
export const JWT_ALGORITHM = 'HS256' as const;

/** What a Heliox access token carries (besides `iss`, `iat`, `exp`). */
export interface TokenClaims {
  sub: string;
  email: string;
  role: UserRole;
  team_id: string | null;
}
