/**
 * The month-end forecast, as pure arithmetic on a team's daily cost (docs/decisions.md,
 * "Trends and forecasts"). The API (forecast and budgets) and the benchmark's backtest call the
 * same functions, so what the benchmark measures is what the API answers.
 *
 * Point forecast: each remaining day is predicted from a weekday profile (the median cost of
 * each weekday over the trailing profileDays) scaled to the recent level (the mean of the last
 * levelDays against the profile's mean), so weekends stay light and a trend is followed.
 * Interval: the method is backtested on the team's own history over the same horizon; the
 * 10th and 90th percentiles of (actual / predicted − 1) widen the predicted remainder.
 */
import { addDays, DAY_MS, daysInRange } from '../common/calendar';

export const FORECAST_SETTINGS = {
  /** The days (8 weeks) the weekday profile is taken from: 8 of each weekday, enough for a median. */
  profileDays: 56,
  /**
   * The days (4 weeks) whose mean sets the level: recent enough to follow a trend, long enough to
   * average out week-to-week noise (14, 28, 42 and 56 were tried: docs/decisions.md).
   */
  levelDays: 28,
  /** Fewer days of history than this: a weekday profile would rest on one day per weekday, so a flat daily mean. */
  minProfileDays: 14,
  /** The past forecast origins (26 weeks) whose errors make the interval (91 gave too narrow an interval). */
  errorOrigins: 182,
  /**
   * The longest horizon (skipped plus remaining days) the history read makes room for: the current
   * and the next month. A month further ahead reads no more history (its backtest has fewer or no
   * origins, then the fallback band), so that month=2100-12 costs what next month costs.
   */
  maxBacktestHorizon: 62,
  /** Fewer backtest errors than this: the fallback band. */
  minErrors: 10,
  /** The interval's coverage: from the 10th to the 90th percentile of the errors. */
  interval: 0.8,
  /** Half-width of the fallback band, as a share of the predicted remainder, when history is too short to backtest. */
  fallbackBand: 0.5,
} as const;

/** complete: no day left to predict; weekday_profile: the method; daily_mean: fewer than minProfileDays of history. */
export type ForecastMethod = 'complete' | 'weekday_profile' | 'daily_mean';

/** What is known of one team on the forecast day. */
export interface ForecastInput {
  /** Daily cost, oldest first, one entry per day; the last one is the forecast day (as_of). */
  history: number[];
  /** Weekday of the last history day, 0 = Sunday (as Date.getUTCDay). */
  lastWeekday: number;
  /** Spend of the month up to and including the last history day. */
  spendToDate: number;
  /** Days after the last history day that are not predicted (the forecast of a later month). */
  skipDays: number;
  /** Days of the month to predict after those. */
  remainingDays: number;
}

export interface Forecast {
  forecast: number;
  low: number;
  high: number;
  method: ForecastMethod;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-quantile (0..1) with linear interpolation between order statistics. */
export function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

const weekdayOf = (lastWeekday: number, offsetFromLast: number) => (((lastWeekday + offsetFromLast) % 7) + 7) % 7;

/**
 * The predicted cost of `count` days starting `skip + 1` days after the last history day, summed,
 * and which method predicted it.
 */
export function predictRemainder(
  history: number[],
  lastWeekday: number,
  skip: number,
  count: number,
): { predicted: number; method: Exclude<ForecastMethod, 'complete'> } {
  return predictAt(history, history.length, lastWeekday, skip, count);
}

/** predictRemainder on the days of `history` before index `end` (the backtest's origins, without copying). */
function predictAt(
  history: number[],
  end: number,
  lastWeekday: number,
  skip: number,
  count: number,
): { predicted: number; method: Exclude<ForecastMethod, 'complete'> } {
  const { profileDays, levelDays, minProfileDays } = FORECAST_SETTINGS;
  const start = Math.max(0, end - profileDays);
  const length = end - start;
  if (length < minProfileDays) {
    let sum = 0;
    for (let i = start; i < end; i++) sum += history[i];
    return { predicted: length ? (sum / length) * count : 0, method: 'daily_mean' };
  }
  // Costs of each weekday in the window; history[end - 1] is the last day.
  const byWeekday: number[][] = [[], [], [], [], [], [], []];
  for (let i = start; i < end; i++) byWeekday[weekdayOf(lastWeekday, i - (end - 1))].push(history[i]);
  let profile = byWeekday.map(median);
  // A team that spends on fewer than half of a weekday's days has medians of 0: its means keep the shape.
  if (mean(profile) === 0) profile = byWeekday.map(mean);
  const profileMean = mean(profile);
  if (profileMean === 0) return { predicted: 0, method: 'weekday_profile' };
  // The level is taken over whole weeks, where the profile's mean is its mean over those days too.
  const levelSpan = Math.min(levelDays, length - (length % 7));
  let recent = 0;
  for (let i = end - levelSpan; i < end; i++) recent += history[i];
  const scale = recent / levelSpan / profileMean;
  let predicted = 0;
  for (let d = skip + 1; d <= skip + count; d++) predicted += profile[weekdayOf(lastWeekday, d)] * scale;
  return { predicted, method: 'weekday_profile' };
}

/**
 * Relative errors (actual / predicted − 1) of the method on the history itself: from each of the
 * latest `errorOrigins` days that leave the horizon inside the history, predict the same
 * `skip`/`count` days ahead and compare with what was spent.
 */
export function backtestErrors(history: number[], lastWeekday: number, skip: number, count: number): number[] {
  const { errorOrigins, minProfileDays } = FORECAST_SETTINGS;
  const errors: number[] = [];
  const last = history.length - 1;
  // An origin o knows history[0..o]; its horizon is o+skip+1 .. o+skip+count.
  const latest = last - skip - count;
  for (let o = latest; o >= minProfileDays - 1 && errors.length < errorOrigins; o--) {
    const { predicted } = predictAt(history, o + 1, weekdayOf(lastWeekday, o - last), skip, count);
    let actual = 0;
    for (let d = o + skip + 1; d <= o + skip + count; d++) actual += history[d];
    if (predicted > 0) errors.push(actual / predicted - 1);
    else if (actual === 0) errors.push(0);
  }
  return errors;
}

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * The month's spend: to date plus the predicted remainder, with its 80 % interval, in cents.
 * Without `interval` (a caller that shows no interval) the backtest, most of the work, is skipped
 * and low and high are the forecast.
 */
export function forecastMonth(input: ForecastInput, { interval = true }: { interval?: boolean } = {}): Forecast {
  const spend = cents(input.spendToDate);
  if (input.remainingDays <= 0) return { forecast: spend, low: spend, high: spend, method: 'complete' };
  const { history, lastWeekday, skipDays, remainingDays } = input;
  const { predicted, method } = predictRemainder(history, lastWeekday, skipDays, remainingDays);
  const forecast = cents(spend + predicted);
  if (!interval) return { forecast, low: forecast, high: forecast, method };
  const errors = backtestErrors(history, lastWeekday, skipDays, remainingDays);
  const tail = (1 - FORECAST_SETTINGS.interval) / 2;
  // actual / predicted ≥ 0, so 1 + error ≥ 0: no bound falls below the spend to date. The point
  // stays inside the interval even when the history says the method was biased one way.
  const [lowError, highError] =
    errors.length >= FORECAST_SETTINGS.minErrors
      ? [Math.min(0, quantile(errors, tail)), Math.max(0, quantile(errors, 1 - tail))]
      : [-FORECAST_SETTINGS.fallbackBand, FORECAST_SETTINGS.fallbackBand];
  return {
    forecast,
    low: cents(spend + predicted * (1 + lowError)),
    high: cents(spend + predicted * (1 + highError)),
    method,
  };
}

/** The naive run-rate the benchmark compares with: spend per elapsed day times the days of the month. */
export function runRateForecast(spendToDate: number, daysElapsed: number, daysInMonth: number): number {
  return daysElapsed > 0 ? cents((spendToDate / daysElapsed) * daysInMonth) : cents(spendToDate);
}

/** Where the days of a month stand against the last day with known cost. */
export interface ForecastWindow {
  first: string;
  last: string;
  /** The last known day used: the data's last day, or the month end when that is earlier. */
  asOf: string;
  /** Days between as_of and the month that are not the month's (the forecast of a later month). */
  skipDays: number;
  /** Days of the month after as_of. */
  remainingDays: number;
  /** The first day of history the forecast and its backtest can use. */
  historyStart: string;
}

export function forecastWindow(month: string, dataAsOf: string): ForecastWindow {
  const first = `${month}-01`;
  const last = addDays(addDays(first, 31).slice(0, 8) + '01', -1);
  const asOf = dataAsOf < last ? dataAsOf : last;
  const skipDays = Math.max(0, daysInRange(asOf, first) - 2);
  const remainingDays = asOf < first ? daysInRange(first, last) : daysInRange(asOf, last) - 1;
  const { profileDays, errorOrigins, maxBacktestHorizon } = FORECAST_SETTINGS;
  // The backtest's oldest origin needs a full profile behind it and its horizon after it.
  const horizon = Math.min(skipDays + remainingDays, maxBacktestHorizon);
  const historyStart = addDays(asOf, -(profileDays + errorOrigins + horizon - 1));
  return { first, last, asOf, skipDays, remainingDays, historyStart };
}

/**
 * The days a forecast without its interval reads: the point forecast looks at the last
 * profileDays of history only, the backtest's origins are not needed. With whether the team spent
 * before them (forecastInputOf's `startedBefore`) it is the same forecast as over the whole window.
 */
export function pointForecastWindow(window: ForecastWindow): ForecastWindow {
  const from = addDays(window.asOf, -(FORECAST_SETTINGS.profileDays - 1));
  return { ...window, historyStart: from > window.historyStart ? from : window.historyStart };
}

/**
 * One team's forecast input from its daily cost by UTC day (`offset`: days since the window's
 * historyStart, for a caller that holds the costs as an array). History starts at the team's first
 * day with cost in the window: the days before it, when a new team spent nothing because it did
 * not exist yet, would teach the profile and the backtest a pattern that is not there.
 * `startedBefore`: the team spent before the window's first day (a pointForecastWindow), so its
 * history already runs through the whole window.
 */
export function forecastInputOf(
  window: ForecastWindow,
  costOf: (day: string, offset: number) => number,
  { startedBefore = false }: { startedBefore?: boolean } = {},
): ForecastInput {
  const history: number[] = [];
  let spendToDate = 0;
  const days = daysOf(window);
  for (let offset = 0; offset < days.length; offset++) {
    const day = days[offset];
    const cost = costOf(day, offset);
    if (cost === 0 && history.length === 0 && !startedBefore) continue;
    history.push(cost);
    if (day >= window.first) spendToDate += cost;
  }
  return {
    history,
    lastWeekday: new Date(`${window.asOf}T00:00:00Z`).getUTCDay(),
    spendToDate,
    skipDays: window.skipDays,
    remainingDays: window.remainingDays,
  };
}

/**
 * The window's days, historyStart to asOf, made once per window: a report forecasts every team
 * over the same days, and building ~300 dates per team was most of a budgets read's time.
 */
const windowDays = new WeakMap<ForecastWindow, string[]>();
function daysOf(window: ForecastWindow): string[] {
  let days = windowDays.get(window);
  if (!days) {
    days = [];
    const start = Date.parse(`${window.historyStart}T00:00:00Z`);
    const end = Date.parse(`${window.asOf}T00:00:00Z`);
    for (let t = start; t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
    windowDays.set(window, days);
  }
  return days;
}
