/** Order statistics of latency samples, by the nearest-rank method (no interpolation). */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (samples: number[]) => percentile(samples, 50);
export const p95 = (samples: number[]) => percentile(samples, 95);

export interface SamplingPlan {
  /** Samples to take after one unmeasured warm-up call. */
  samples: number;
  /** Stop early once this much time went into sampling, provided `minSamples` were taken. */
  budgetMs: number;
  minSamples: number;
}

/**
 * Times `call` repeatedly, one call at a time. The same plan is applied to Heliox and to its
 * reference, so a slow reference gets fewer samples but never a different method.
 */
export async function sampleLatencies(call: () => Promise<unknown>, plan: SamplingPlan): Promise<number[]> {
  await call();
  const samples: number[] = [];
  const began = performance.now();
  while (samples.length < plan.samples) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
    if (samples.length >= plan.minSamples && performance.now() - began > plan.budgetMs) break;
  }
  return samples;
}

/** Wall time of one call, in milliseconds. */
export async function timed<T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await call();
  return { result, ms: performance.now() - t0 };
}
