import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import { Semaphore } from 'async-mutex';
import * as bcrypt from 'bcrypt';
import { Env } from '../../config/env';

/**
 * argon2id at one of OWASP's equivalent recommended settings: 7 MiB, 5 passes, 1 lane (about
 * 16 ms on one thread-pool thread). Of the settings OWASP lists as equally strong, the one with the
 * least memory: each libuv thread that hashes keeps its block in its malloc arena afterwards, so
 * 19 MiB a hash became up to 76 MB of resident memory across the pool's four threads. One lane,
 * so a hash never occupies more than the one thread the cap counts.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 7_168, timeCost: 5, parallelism: 1 } as const;

/** Hashes made before argon2id: bcrypt's `$2a$`, `$2b$` and `$2y$`, still accepted and upgraded at login. */
const BCRYPT_HASH = /^\$2[aby]\$/;

/**
 * The most bytes of a password Heliox takes. bcrypt reads only the first 72, so older hashes could
 * not tell longer passwords apart; the bound also keeps the cost of one hash flat.
 */
export const PASSWORD_MAX_BYTES = 72;

/** An argon2id hash of the password. Both libraries run on libuv's thread pool, never on the event loop. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** Checks a password against an argon2id hash or an older bcrypt one; a malformed hash matches nothing. */
async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    if (BCRYPT_HASH.test(passwordHash)) return await bcrypt.compare(password, passwordHash);
    return await argon2.verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * True for a bcrypt hash or an argon2 hash of other parameters than today's, once `password` has
 * matched it: it is replaced at that login. Not for a bcrypt match of a password over 72 bytes:
 * bcrypt compared only its first 72, so it may be the real password with a typo past its end,
 * and hashing it in full would lock the real one out.
 */
function needsUpgrade(passwordHash: string, password: string): boolean {
  if (BCRYPT_HASH.test(passwordHash)) return Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
  return argon2.needsRehash(passwordHash, ARGON2_OPTIONS);
}

/**
 * Hashing and verifying with at most PASSWORD_HASH_CONCURRENCY in flight; the rest wait their turn.
 * Each takes a thread of libuv's pool (UV_THREADPOOL_SIZE, 4 by default), which file and DNS work
 * share: a burst of logins must leave some of it free, or every other request waits behind them.
 */
@Injectable()
export class PasswordHasher {
  private readonly slots: Semaphore;

  constructor(config: ConfigService<Env, true>) {
    this.slots = new Semaphore(config.get('PASSWORD_HASH_CONCURRENCY', { infer: true }));
  }

  hash(password: string): Promise<string> {
    return this.slots.runExclusive(() => hashPassword(password));
  }

  verify(password: string, passwordHash: string): Promise<boolean> {
    return this.slots.runExclusive(() => verifyPassword(password, passwordHash));
  }

  needsUpgrade(passwordHash: string, password: string): boolean {
    return needsUpgrade(passwordHash, password);
  }
}
