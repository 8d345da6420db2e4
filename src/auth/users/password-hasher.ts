import { compare, hash } from 'bcryptjs';

/** bcrypt cost: about a quarter of a second per hash, the usual trade between login latency and brute force. */
export const BCRYPT_ROUNDS = 12;

/** bcrypt reads only the first 72 bytes of a password; longer ones are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;

export function hashPassword(password: string): Promise<string> {
  return hash(password, BCRYPT_ROUNDS);
}

export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return compare(password, passwordHash);
}
