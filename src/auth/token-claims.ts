import { isUUID } from 'class-validator';
import { USER_ROLES, UserRole } from './users/user.entity';

/** Pinned: a token signed with any other algorithm (or `none`) is refused. */
export const JWT_ALGORITHM = 'HS256' as const;

/** What a Heliox access token carries (besides `iss`, `iat`, `exp`). */
export interface TokenClaims {
  sub: string;
  email: string;
  role: UserRole;
  team_id: string | null;
  /** The user's token version when the token was issued; see RevocableTokens1767226200000. */
  ver: number;
}

/**
 * The claims of a verified token, or null when they do not have the shape this app signs.
 * The signature only proves who wrote them; a token written with another shape (an older
 * release, a leaked key used carelessly) must be refused, not half-read. A token without an
 * expiry is refused too: jsonwebtoken accepts one, and it would never run out.
 */
export function parseClaims(payload: unknown): TokenClaims | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (typeof p.exp !== 'number' || !Number.isFinite(p.exp)) return null;
  if (typeof p.sub !== 'string' || !isUUID(p.sub, 'all')) return null;
  if (typeof p.email !== 'string') return null;
  if (!USER_ROLES.includes(p.role as UserRole)) return null;
  if (p.team_id !== null && (typeof p.team_id !== 'string' || !isUUID(p.team_id, 'all'))) return null;
  if (typeof p.ver !== 'number' || !Number.isSafeInteger(p.ver) || p.ver < 0) return null;
  return {
    sub: p.sub.toLowerCase(),
    email: p.email,
    role: p.role as UserRole,
    team_id: p.team_id === null ? null : p.team_id.toLowerCase(),
    ver: p.ver,
  };
}
