import { addDays } from '../common/calendar';
import {
  backtestErrors,
  FORECAST_SETTINGS,
  forecastInputOf,
  forecastMonth,
  forecastWindow,
  pointForecastWindow,
  predictRemainder,
  quantile,
  runRateForecast,
} from './forecast-math';

const FRIDAY = 5;

/** `weeks` weeks of daily cost ending on a Friday: `weekday` on Monday–Friday, `weekend` on Saturday and Sunday. */
function weeksEndingFriday(weeks: number, weekday: (week: number) => number, weekend = 0): number[] {
  const days: number[] = [];
  // Starts on a Saturday so that the last day is a Friday.
  for (let w = 0; w < weeks; w++) days.push(weekend, weekend, ...Array<number>(5).fill(weekday(w)));
  return days;
}

/** A deterministic wobble in [0.7, 1.3) so that intervals have something to measure. */
const wobble = (i: number) => 0.7 + ((i * 7919) % 600) / 1000;

describe('forecast arithmetic', () => {
  it('predicts weekdays from their own weekday: heavy Monday to Friday, empty weekends', () => {
    const history = weeksEndingFriday(8, () => 100);
    // After a Friday: Saturday, Sunday, Monday.
    expect(predictRemainder(history, FRIDAY, 0, 3)).toEqual({ predicted: 100, method: 'weekday_profile' });
    expect(predictRemainder(history, FRIDAY, 0, 7).predicted).toBeCloseTo(500, 9);
    // Two days skipped (the weekend): Monday to Wednesday.
    expect(predictRemainder(history, FRIDAY, 2, 3).predicted).toBeCloseTo(300, 9);
  });

  it('scales the weekday profile to the level of the last four weeks', () => {
    // Five weeks at 100 a weekday, then three at 200: the medians say 100, the last four weeks 175.
    const history = weeksEndingFriday(8, (w) => (w >= 5 ? 200 : 100));
    expect(predictRemainder(history, FRIDAY, 0, 3).predicted).toBeCloseTo(175, 9);
  });

  it('takes the level over whole weeks when the history is shorter than four', () => {
    // Two weeks and six days of 100 a weekday: the level of the last two whole weeks is the profile's.
    const history = weeksEndingFriday(3, () => 100).slice(1);
    expect(predictRemainder(history, FRIDAY, 0, 3).predicted).toBeCloseTo(100, 9);
  });

  it('uses only the last eight weeks for the profile', () => {
    // Weekends were busy long ago and are empty in the last eight weeks.
    const history = [...weeksEndingFriday(10, () => 100, 100), ...weeksEndingFriday(8, () => 100)];
    expect(predictRemainder(history, FRIDAY, 0, 2).predicted).toBe(0);
  });

  it('keeps a shape for a team that spends on few days, where every weekday median is 0', () => {
    const history = Array<number>(56).fill(0);
    history[55] = 700; // one Friday
    // The means keep it on Fridays; the level is 700 over the last 28 days, 175 a week.
    expect(predictRemainder(history, FRIDAY, 0, 6)).toEqual({ predicted: 0, method: 'weekday_profile' });
    expect(predictRemainder(history, FRIDAY, 0, 7).predicted).toBeCloseTo(175, 9);
  });

  it('falls back to the flat daily mean with under two weeks of history', () => {
    expect(predictRemainder([10, 20, 30], FRIDAY, 0, 4)).toEqual({ predicted: 80, method: 'daily_mean' });
    expect(predictRemainder([], FRIDAY, 0, 4)).toEqual({ predicted: 0, method: 'daily_mean' });
  });

  it('backtests over the same horizon from the latest origins that leave it inside the history', () => {
    const flat = Array<number>(40).fill(10);
    // Origins 13 … 40-1-5 = 34: 22 of them, all exact.
    expect(backtestErrors(flat, FRIDAY, 0, 5)).toEqual(Array<number>(22).fill(0));
    const long = Array<number>(400).fill(10);
    expect(backtestErrors(long, FRIDAY, 3, 5)).toHaveLength(FORECAST_SETTINGS.errorOrigins);
  });

  it('measures the error as actual over predicted minus one', () => {
    // 14 days at 10, then 10 days at 20: the origin on day 13 predicts 10 a day and sees 20.
    const history = [...Array<number>(14).fill(10), ...Array<number>(10).fill(20)];
    const errors = backtestErrors(history, FRIDAY, 0, 10);
    expect(errors).toEqual([1]);
  });

  it('answers the spend for a month with no day left, with no interval', () => {
    expect(
      forecastMonth({ history: [5, 5], lastWeekday: FRIDAY, spendToDate: 123.456, skipDays: 0, remainingDays: 0 }),
    ).toEqual({ forecast: 123.46, low: 123.46, high: 123.46, method: 'complete' });
  });

  it('orders low ≤ forecast ≤ high, none below the spend to date, from the backtest errors', () => {
    const history = Array.from({ length: 200 }, (_, i) => (i % 7 < 2 ? 20 : 100) * wobble(i));
    for (const remainingDays of [1, 7, 17, 24]) {
      const f = forecastMonth({ history, lastWeekday: FRIDAY, spendToDate: 1000, skipDays: 0, remainingDays });
      expect(f.method).toBe('weekday_profile');
      expect(f.low).toBeGreaterThanOrEqual(1000);
      expect(f.low).toBeLessThan(f.forecast);
      expect(f.forecast).toBeLessThan(f.high);
    }
  });

  it('gives the same point without the interval, and no bounds beside it', () => {
    const history = Array.from({ length: 200 }, (_, i) => (i % 7 < 2 ? 20 : 100) * wobble(i));
    const input = { history, lastWeekday: FRIDAY, spendToDate: 1000, skipDays: 0, remainingDays: 9 };
    const point = forecastMonth(input, { interval: false });
    expect(point.forecast).toBe(forecastMonth(input).forecast);
    expect([point.low, point.high]).toEqual([point.forecast, point.forecast]);
  });

  it('keeps the point inside the interval when every past error went one way', () => {
    // Growing 3 % a day: the method, levelled on the last two weeks, always under-predicts.
    const history = Array.from({ length: 200 }, (_, i) => 10 * 1.03 ** i);
    const errors = backtestErrors(history, FRIDAY, 0, 10);
    expect(Math.min(...errors)).toBeGreaterThan(0);
    const f = forecastMonth({ history, lastWeekday: FRIDAY, spendToDate: 0, skipDays: 0, remainingDays: 10 });
    expect(f.low).toBe(f.forecast);
    expect(f.high).toBeGreaterThan(f.forecast);
  });

  it('widens by the fallback band when the history is too short to backtest', () => {
    const history = Array<number>(20).fill(10);
    const f = forecastMonth({ history, lastWeekday: FRIDAY, spendToDate: 50, skipDays: 0, remainingDays: 10 });
    // 100 predicted; no origin has two weeks of history before it and ten days after it: ±50 %.
    expect(f).toEqual({ forecast: 150, low: 100, high: 200, method: 'weekday_profile' });
  });

  it('interpolates quantiles between order statistics', () => {
    expect(quantile([0, 10], 0.1)).toBeCloseTo(1, 9);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([4], 0.9)).toBe(4);
  });

  it('computes the naive run-rate the benchmark compares with', () => {
    expect(runRateForecast(700, 7, 31)).toBe(3100);
    expect(runRateForecast(0, 0, 30)).toBe(0);
  });

  it('places as_of, the skipped and the remaining days of a month against the last day with cost', () => {
    const { profileDays, errorOrigins } = FORECAST_SETTINGS;
    expect(forecastWindow('2026-03', '2026-03-20')).toEqual({
      first: '2026-03-01',
      last: '2026-03-31',
      asOf: '2026-03-20',
      skipDays: 0,
      remainingDays: 11,
      historyStart: addDays('2026-03-20', -(profileDays + errorOrigins + 11 - 1)),
    });
    // A past month is complete; a later one is predicted whole, after the days between.
    expect(forecastWindow('2026-02', '2026-03-20')).toMatchObject({
      asOf: '2026-02-28',
      skipDays: 0,
      remainingDays: 0,
    });
    expect(forecastWindow('2026-04', '2026-03-20')).toMatchObject({
      asOf: '2026-03-20',
      skipDays: 11,
      remainingDays: 30,
    });
    expect(forecastWindow('2026-04', '2026-03-31')).toMatchObject({ skipDays: 0, remainingDays: 30 });
    expect(forecastWindow('2028-02', '2028-02-01')).toMatchObject({ last: '2028-02-29', remainingDays: 28 });
    // Far ahead: the history read is no longer than for a month two months ahead.
    const far = forecastWindow('2100-12', '2026-03-20');
    expect(far.skipDays).toBeGreaterThan(27_000);
    expect(far.historyStart).toBe(addDays('2026-03-20', -(profileDays + errorOrigins + 62 - 1)));
  });

  it("starts a team's history at its first day with cost and sums the month's days to date", () => {
    const window = forecastWindow('2026-03', '2026-03-03');
    const costs: Record<string, number> = { '2026-02-27': 5, '2026-03-01': 1, '2026-03-03': 2 };
    expect(forecastInputOf(window, (day) => costs[day] ?? 0)).toEqual({
      history: [5, 0, 1, 0, 2],
      lastWeekday: 2, // 2026-03-03 is a Tuesday
      spendToDate: 3,
      skipDays: 0,
      remainingDays: 28,
    });
    expect(forecastInputOf(window, () => 0).history).toEqual([]);
  });

  it('forecasts the same without the interval from the profile days alone, given whether the team spent before them', () => {
    const window = forecastWindow('2026-03', '2026-03-11');
    const short = pointForecastWindow(window);
    expect(short.historyStart).toBe(addDays('2026-03-11', -(FORECAST_SETTINGS.profileDays - 1)));
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    // Teams that start long before, just before and inside the profile days, with idle days
    // (cost 0) around the profile's first day, and one that never spent.
    const starts = [
      window.historyStart,
      addDays(short.historyStart, -3),
      short.historyStart,
      addDays(short.historyStart, 9),
      '2026-04-01',
    ];
    for (const start of starts) {
      for (let run = 0; run < 20; run++) {
        const costs = new Map<string, number>();
        for (let day = start; day <= window.asOf; day = addDays(day, 1)) {
          const idle =
            random() < 0.3 || (day >= addDays(short.historyStart, -2) && day <= addDays(short.historyStart, 1));
          costs.set(day, idle ? 0 : Math.round(random() * 10_000) / 100);
        }
        const costOf = (day: string) => costs.get(day) ?? 0;
        const spentBefore = [...costs].some(([day, cost]) => day < short.historyStart && cost !== 0);
        const whole = forecastMonth(forecastInputOf(window, costOf), { interval: false });
        const point = forecastMonth(forecastInputOf(short, costOf, { startedBefore: spentBefore }), {
          interval: false,
        });
        expect(point).toEqual(whole);
      }
    }
  });
});
