/**
 * The anomaly rule in plain TypeScript (docs/decisions.md, "Anomalies"). A series is one team's
 * daily cost in one (provider, GPU type) cell; each judged day is compared with a weekday-aware,
 * robust baseline of the days before it:
 *
 *  - history: the priced days (the cell has a snapshot) among the `windowDays` before the day;
 *    a day with fewer than `minHistoryDays` of them is not judged;
 *  - expected: the median of the history days on the same weekday (7, 14, 21, 28 days before),
 *    or of the whole history when fewer than two of those are priced;
 *  - scale: 1.4826 × the median absolute residual of the history, each history day measured
 *    against the median of its own weekday (a weekly pattern is not noise), at least
 *    `relativeFloor` of the expected cost and $1 (a flat history has no spread at all);
 *  - an anomaly: |cost − expected| ≥ `minUsd` and |cost − expected| ÷ scale ≥ `minScore`.
 *
 * Pure, and allocation-free per day (each series reuses its buffers): a year of every team's
 * cells in the benchmark, some 900 series of 365 days, is judged in 0.2–0.5 s.
 */

export interface AnomalySettings {
  /** Days of history before a judged day (a multiple of 7, so every weekday counts equally). */
  windowDays: number;
  /** Priced history days a day needs to be judged at all. */
  minHistoryDays: number;
  /** Smallest |cost − expected| in USD that is reported. */
  minUsd: number;
  /** Smallest robust score that is reported. */
  minScore: number;
  /** The scale is at least this share of the expected cost. */
  relativeFloor: number;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  windowDays: 28,
  minHistoryDays: 14,
  minUsd: 50,
  minScore: 4,
  relativeFloor: 0.05,
};

/** MAD × this estimates the standard deviation of normally distributed values. */
const MAD_TO_SIGMA = 1.4826;
/** The smallest scale, in USD: below it a score would measure rounding, not behaviour. */
const MIN_SCALE_USD = 1;

/**
 * One series over consecutive days: `cost[i]` is the cost of day i (0 when the team had none),
 * `priced[i]` whether the cell had a snapshot that day (an unpriced day is neither judged nor
 * history: its cost is unknown, not zero).
 */
export interface DailySeries {
  cost: ArrayLike<number>;
  priced: ArrayLike<boolean>;
}

export interface AnomalyPoint {
  /** Index of the day in the series. */
  index: number;
  cost: number;
  expected: number;
  score: number;
  direction: 'up' | 'down';
}

export function median(values: number[]): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Reusable buffers for one window size: judging a year of series allocates nothing per day. */
class Scratch {
  readonly values: Float64Array;
  readonly residuals: Float64Array;
  readonly start = new Int32Array(7);
  readonly count = new Int32Array(7);
  readonly centre = new Float64Array(7);

  constructor(readonly windowDays: number) {
    this.values = new Float64Array(windowDays);
    this.residuals = new Float64Array(windowDays);
  }
}

/** Median of a typed-array slice, sorting it in place. */
function medianInPlace(values: Float64Array, from: number, count: number): number {
  const part = values.subarray(from, from + count).sort();
  const mid = count >> 1;
  return count % 2 ? part[mid] : (part[mid - 1] + part[mid]) / 2;
}

/** The baseline of day `index` from the days before it, or null when it has too little history. */
export function baselineOf(
  series: DailySeries,
  index: number,
  settings: AnomalySettings,
  scratch: Scratch = new Scratch(settings.windowDays),
): { expected: number; scale: number } | null {
  const { values, residuals, start, count, centre } = scratch;
  // Group k holds the history values k days (mod 7) before the judged day; k = 0 is the same weekday.
  let total = 0;
  for (let k = 0; k < 7; k++) {
    start[k] = total;
    count[k] = 0;
    for (let lag = k === 0 ? 7 : k; lag <= settings.windowDays; lag += 7) {
      const j = index - lag;
      if (j < 0) break;
      if (!series.priced[j]) continue;
      values[total++] = series.cost[j];
      count[k]++;
    }
  }
  if (total < settings.minHistoryDays) return null;
  // The overall median is only needed for a weekday with fewer than two values.
  let overall = NaN;
  for (let k = 0; k < 7; k++) {
    if (count[k] >= 2) continue;
    if (Number.isNaN(overall)) {
      residuals.set(values.subarray(0, total));
      overall = medianInPlace(residuals, 0, total);
    }
    centre[k] = overall;
  }
  let n = 0;
  for (let k = 0; k < 7; k++) {
    // Sorting a group in place keeps its values in the group: the residuals below still hold.
    if (count[k] >= 2) centre[k] = medianInPlace(values, start[k], count[k]);
    for (let i = start[k]; i < start[k] + count[k]; i++) residuals[n++] = Math.abs(values[i] - centre[k]);
  }
  const expected = centre[0];
  const spread = MAD_TO_SIGMA * medianInPlace(residuals, 0, n);
  const scale = Math.max(spread, settings.relativeFloor * Math.abs(expected), MIN_SCALE_USD);
  return { expected, scale };
}

/** Same-weekday median of the history only: a cheap bound that skips most days before the full baseline. */
function sameWeekdayMedian(series: DailySeries, index: number, windowDays: number, scratch: Scratch): number | null {
  let n = 0;
  for (let lag = 7; lag <= windowDays; lag += 7) {
    const j = index - lag;
    if (j >= 0 && series.priced[j]) scratch.values[n++] = series.cost[j];
  }
  return n >= 2 ? medianInPlace(scratch.values, 0, n) : null;
}

/** The anomalous days of a series among indexes `from` … `to` (inclusive). */
export function findAnomalies(
  series: DailySeries,
  from: number,
  to: number,
  settings: AnomalySettings = DEFAULT_ANOMALY_SETTINGS,
): AnomalyPoint[] {
  const found: AnomalyPoint[] = [];
  const scratch = new Scratch(settings.windowDays);
  for (let i = Math.max(0, from); i <= to && i < series.cost.length; i++) {
    if (!series.priced[i]) continue;
    const cost = series.cost[i];
    // Most days sit within the dollar minimum of their weekday's median and cannot be reported.
    const quick = sameWeekdayMedian(series, i, settings.windowDays, scratch);
    if (quick !== null && Math.abs(cost - quick) < settings.minUsd) continue;
    const baseline = baselineOf(series, i, settings, scratch);
    if (!baseline) continue;
    const change = cost - baseline.expected;
    if (Math.abs(change) < settings.minUsd) continue;
    const score = Math.abs(change) / baseline.scale;
    if (score < settings.minScore) continue;
    found.push({ index: i, cost, expected: baseline.expected, score, direction: change > 0 ? 'up' : 'down' });
  }
  return found;
}
