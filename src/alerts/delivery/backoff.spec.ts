import { retryDelaySeconds } from './backoff';

describe('retryDelaySeconds', () => {
  it('waits the base after the first failure and doubles it after each later one', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 7].map((a) => retryDelaySeconds(a, 10, none))).toEqual([10, 20, 40, 80, 640]);
  });

  it('adds at most a quarter of jitter, never less than the doubled base', () => {
    expect(retryDelaySeconds(1, 10, () => 0.999)).toBeCloseTo(12.4975);
    expect(retryDelaySeconds(3, 0.2, () => 0.5)).toBeCloseTo(0.9);
  });
});
