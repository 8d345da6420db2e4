import { compareAnswers, toCents } from './reference-analytics';
import { median, p95, percentile, sampleLatencies } from './stats';

describe('percentiles (nearest rank)', () => {
  const samples = Array.from({ length: 20 }, (_, i) => 20 - i); // 20 … 1, unsorted on purpose

  it('takes the median and p95 from the sorted samples', () => {
    expect(median(samples)).toBe(10);
    expect(p95(samples)).toBe(19);
    expect(percentile(samples, 100)).toBe(20);
    expect(percentile([5], 95)).toBe(5);
  });

  it('refuses an empty sample', () => {
    expect(() => median([])).toThrow('no samples');
  });
});

describe('sampleLatencies', () => {
  it('warms up once, then takes the planned number of samples', async () => {
    let calls = 0;
    const samples = await sampleLatencies(() => Promise.resolve(void calls++), {
      samples: 5,
      budgetMs: 60_000,
      minSamples: 3,
    });
    expect(samples).toHaveLength(5);
    expect(calls).toBe(6);
  });

  it('stops at the minimum once the time budget is spent', async () => {
    const slow = () => new Promise((resolve) => setTimeout(resolve, 5));
    const samples = await sampleLatencies(slow, { samples: 50, budgetMs: 1, minSamples: 3 });
    expect(samples).toHaveLength(3);
  });
});

describe('comparing answers to the cent', () => {
  it('converts dollars given as numbers or numeric strings to cents', () => {
    expect(toCents(720)).toBe(72_000);
    expect(toCents('180.005')).toBe(18_001);
    expect(toCents('0.10')).toBe(10);
    expect(() => toCents('n/a')).toThrow('Not an amount');
  });

  it('accepts a one-cent rounding difference and reports anything more, missing groups as 0', () => {
    const heliox = new Map([
      ['a', 100],
      ['b', 201],
      ['c', 50],
    ]);
    const reference = new Map([
      ['a', 101],
      ['b', 199],
      ['d', 7],
    ]);
    expect(compareAnswers(heliox, reference)).toEqual([
      { key: 'c', heliox: 50, reference: 0 },
      { key: 'd', heliox: 0, reference: 7 },
      { key: 'b', heliox: 201, reference: 199 },
    ]);
  });
});
