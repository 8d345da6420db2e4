import { ConfigService } from '@nestjs/config';
import { Repository } from 'typeorm';
import { Env } from '../config/env';
import { TokenUserCache } from './token-user-cache';
import { User } from './users/user.entity';

const ID = '5b0c4a1e-7d2f-4c3b-9a8e-1f2d3c4b5a60';

function cacheFor(seconds: number) {
  const findOne = jest
    .fn()
    .mockResolvedValue({ id: ID, role: 'admin', teamId: null, disabled: false, tokenVersion: 0 });
  const cache = new TokenUserCache(
    { findOne } as unknown as Repository<User>,
    { get: () => seconds } as unknown as ConfigService<Env, true>,
  );
  return { cache, findOne };
}

describe('TokenUserCache', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a user once within its lifetime, also for requests that arrive together', async () => {
    const { cache, findOne } = cacheFor(30);
    await Promise.all([cache.get(ID), cache.get(ID), cache.get(ID)]);
    await cache.get(ID);
    expect(findOne).toHaveBeenCalledTimes(1);
  });

  it('reads the user again once the entry is older than AUTH_USER_CACHE_SECONDS', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { cache, findOne } = cacheFor(30);
    await cache.get(ID);
    jest.setSystemTime(1_000_000 + 29_999);
    await cache.get(ID);
    expect(findOne).toHaveBeenCalledTimes(1);
    jest.setSystemTime(1_000_000 + 30_001);
    await cache.get(ID);
    expect(findOne).toHaveBeenCalledTimes(2);
  });

  it('reads the user again after an eviction', async () => {
    const { cache, findOne } = cacheFor(30);
    await cache.get(ID);
    cache.evict(ID);
    await cache.get(ID);
    expect(findOne).toHaveBeenCalledTimes(2);
  });

  it('does not remember a failed read', async () => {
    const { cache, findOne } = cacheFor(30);
    findOne.mockRejectedValueOnce(new Error('database down'));
    await expect(cache.get(ID)).rejects.toThrow('database down');
    await expect(cache.get(ID)).resolves.toMatchObject({ id: ID });
    expect(findOne).toHaveBeenCalledTimes(2);
  });

  it('reads the user on every request when the lifetime is 0', async () => {
    const { cache, findOne } = cacheFor(0);
    await cache.get(ID);
    await cache.get(ID);
    expect(findOne).toHaveBeenCalledTimes(2);
  });
});
