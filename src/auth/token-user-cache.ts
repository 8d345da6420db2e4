import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Env } from '../config/env';
import { User } from './users/user.entity';

/** What a token check needs to know about its user. */
export type TokenUser = Pick<User, 'id' | 'role' | 'teamId' | 'disabled' | 'tokenVersion'>;

interface Entry {
  expiresAt: number;
  /** Shared by the requests that miss at the same time, so a burst costs one query. */
  user: Promise<TokenUser | null>;
}

/** Enough for every user of a deployment; beyond it the oldest entries go first. */
const MAX_ENTRIES = 10_000;

/**
 * The users behind tokens, read at most once per AUTH_USER_CACHE_SECONDS per process, so the
 * common request costs no query while a change still reaches every replica in that time.
 * A change made through this process evicts its entry at once (UsersService calls evict).
 * A missing user is cached too: a deleted user's token should not cost a query per request.
 */
@Injectable()
export class TokenUserCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('AUTH_USER_CACHE_SECONDS', { infer: true }) * 1000;
  }

  get(id: string): Promise<TokenUser | null> {
    const now = Date.now();
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt > now) return entry.user;
    if (entry) this.entries.delete(id);
    const user = this.load(id);
    if (this.ttlMs > 0) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      const fresh: Entry = { expiresAt: now + this.ttlMs, user };
      this.entries.set(id, fresh);
      // A failed read (database down) is not remembered; the next request tries again.
      user.catch(() => {
        if (this.entries.get(id) === fresh) this.entries.delete(id);
      });
    }
    return user;
  }

  evict(id: string): void {
    this.entries.delete(id);
  }

  private load(id: string): Promise<TokenUser | null> {
    return this.users.findOne({
      where: { id },
      select: { id: true, role: true, teamId: true, disabled: true, tokenVersion: true },
    });
  }
}
