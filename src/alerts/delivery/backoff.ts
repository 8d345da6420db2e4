/**
 * Seconds to wait after failed attempt `attempt` (1-based): the base, doubled for every attempt
 * before, stretched by up to a quarter at random so that receivers coming back from an outage
 * are not hit by every retry at the same instant. The first retry never comes sooner than the
 * base.
 */
export function retryDelaySeconds(attempt: number, baseSeconds: number, random: () => number = Math.random): number {
  return baseSeconds * 2 ** Math.max(0, attempt - 1) * (1 + 0.25 * random());
}
