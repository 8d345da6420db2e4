import { AnomalySettings, baselineOf, DEFAULT_ANOMALY_SETTINGS, findAnomalies, median } from './anomaly-math';

const settings: AnomalySettings = DEFAULT_ANOMALY_SETTINGS;

/** A series of `days` priced days, day i costing costOf(i); index 0 is a Monday. */
function series(days: number, costOf: (i: number) => number, unpriced: number[] = []) {
  const cost = Array.from({ length: days }, (_, i) => costOf(i));
  const priced = cost.map((_, i) => !unpriced.includes(i));
  return { cost, priced };
}

/** Deterministic noise in [-1, 1) (a linear congruential generator). */
function noise(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  };
}

const weekend = (i: number) => i % 7 >= 5;
const all = (s: { cost: number[] }) => [0, s.cost.length - 1] as const;

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});

describe('findAnomalies', () => {
  it('reports a spike in a flat history as up, against the flat cost', () => {
    const s = series(60, (i) => (i === 45 ? 700 : 100));
    expect(findAnomalies(s, ...all(s), settings)).toEqual([
      expect.objectContaining({ index: 45, cost: 700, expected: 100, direction: 'up' }),
    ]);
  });

  it('reports nothing in a flat history', () => {
    const s = series(90, () => 250);
    expect(findAnomalies(s, ...all(s), settings)).toEqual([]);
  });

  it('reports nothing in a steady weekly pattern with noise (heavy weekdays, light weekends)', () => {
    const jitter = noise(7);
    const s = series(120, (i) => (weekend(i) ? 200 : 1000) * (1 + 0.08 * jitter()));
    expect(findAnomalies(s, ...all(s), settings)).toEqual([]);
  });

  it("judges a weekend against weekends: a weekday's cost on a Saturday is up", () => {
    const s = series(60, (i) => (i === 54 ? 1000 : weekend(i) ? 200 : 1000));
    expect(findAnomalies(s, ...all(s), settings)).toEqual([
      expect.objectContaining({ index: 54, expected: 200, direction: 'up' }),
    ]);
  });

  it('reports a priced day without cost where the baseline expects cost as down', () => {
    const s = series(60, (i) => (i === 40 ? 0 : 300));
    expect(findAnomalies(s, ...all(s), settings)).toEqual([
      expect.objectContaining({ index: 40, cost: 0, expected: 300, direction: 'down' }),
    ]);
  });

  it('neither judges an unpriced day nor counts it as history', () => {
    const s = series(60, (i) => (i === 40 ? 0 : 300), [40]);
    expect(findAnomalies(s, ...all(s), settings)).toEqual([]);
  });

  it('does not judge a day with fewer priced days of history than the minimum', () => {
    const s = series(14, (i) => (i === 13 ? 5000 : 100));
    expect(findAnomalies(s, ...all(s), settings)).toEqual([]);
    const longer = series(15, (i) => (i === 14 ? 5000 : 100));
    expect(findAnomalies(longer, ...all(longer), settings).map((p) => p.index)).toEqual([14]);
  });

  it('does not report a change below the dollar minimum, whatever its score', () => {
    const s = series(60, (i) => (i === 45 ? 140 : 100));
    expect(baselineOf(s, 45, settings)).toEqual({ expected: 100, scale: 5 });
    expect(findAnomalies(s, ...all(s), settings)).toEqual([]);
    expect(findAnomalies(s, ...all(s), { ...settings, minUsd: 30 })).toEqual([
      expect.objectContaining({ index: 45, score: 8 }),
    ]);
  });

  it('does not report a change within the score threshold of a noisy history', () => {
    const jitter = noise(11);
    const s = series(60, (i) => (i === 50 ? 1300 : 1000 + 200 * jitter()));
    expect(findAnomalies(s, 50, 50, settings)).toEqual([]);
  });

  it('keeps one spike in the history from moving the baseline of the weeks after it', () => {
    const s = series(70, (i) => (i === 35 ? 5000 : 100));
    expect(findAnomalies(s, ...all(s), settings).map((p) => p.index)).toEqual([35]);
  });

  it('judges only the days asked for', () => {
    const s = series(60, (i) => (i === 45 ? 700 : 100));
    expect(findAnomalies(s, 46, 59, settings)).toEqual([]);
  });
});
