import { addDays } from '../src/common/calendar';
import { backtest, BacktestOutcome, forecastFigures, TeamDays, wholeMonths } from './forecast-figures';
import { verdict } from './report';

/** One team spending `weekday` on Monday–Friday and `weekend` on Saturday and Sunday. */
function weekdayTeam(first: string, last: string, weekday: number, weekend: number): Map<string, number> {
  const days = new Map<string, number>();
  for (let d = first; d <= last; d = addDays(d, 1)) {
    const w = new Date(`${d}T00:00:00Z`).getUTCDay();
    days.set(d, w === 0 || w === 6 ? weekend : weekday);
  }
  return days;
}

describe('forecast backtest', () => {
  it('takes the months whose every day is in the data', () => {
    expect(wholeMonths('2026-01-01', '2026-03-30')).toEqual(['2026-01', '2026-02']);
    expect(wholeMonths('2026-01-02', '2026-03-31')).toEqual(['2026-02', '2026-03']);
    expect(wholeMonths('2026-11-01', '2026-11-29')).toEqual([]);
  });

  it('forecasts every team-month with cost on days 7, 14 and 21, and beats the run-rate on a weekly pattern', () => {
    const teams: TeamDays = new Map([
      ['a', weekdayTeam('2026-01-01', '2026-06-30', 100, 10)],
      ['idle', new Map()],
    ]);
    const outcomes = backtest(teams, '2026-01-01', '2026-06-30');
    expect(outcomes).toHaveLength(6 * 3);
    const figures = forecastFigures(outcomes, '2026-01-01', '2026-06-30');
    expect(figures.map(verdict)).toEqual(['pass', 'pass', 'pass', 'pass', expect.any(String)]);
    // January and February (days 1 to 59) are forecast with under 8 weeks behind them.
    expect(figures[3].heliox).toMatch(/over 18 team-months, 6 of them on under 8 weeks of history$/);
  });

  it('counts an actual inside the interval, bounds included', () => {
    const at = (actual: number): BacktestOutcome => ({
      day: 7,
      actual,
      forecast: 100,
      low: 90,
      high: 110,
      runRate: 120,
      shortHistory: false,
    });
    const [, , , , coverage] = forecastFigures([at(90), at(110), at(111), at(100)], 'a', 'b');
    expect(coverage.checked).toBe(75);
  });

  it('says when there is not enough history', () => {
    const figures = forecastFigures([], '2026-11-01', '2026-11-29');
    expect(figures.every((f) => f.unmeasured?.startsWith('not enough history'))).toBe(true);
  });
});
