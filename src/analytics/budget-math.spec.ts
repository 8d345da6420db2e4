import { budgetStatus, forecastMonth } from './budget-math';

describe('budget arithmetic', () => {
  it('projects the run rate of the days with data to the end of the month', () => {
    expect(forecastMonth(1000, 10, 31)).toBe(3100);
    expect(forecastMonth(0, 0, 30)).toBe(0);
  });

  it('says ok, warning at 80 % spent or forecast, and over past the budget', () => {
    expect(budgetStatus(100, 500, 1000)).toBe('ok');
    expect(budgetStatus(800, 800, 1000)).toBe('warning');
    expect(budgetStatus(300, 900, 1000)).toBe('warning');
    expect(budgetStatus(1000.01, 2000, 1000)).toBe('over');
    expect(budgetStatus(5, 5, null)).toBe('no_budget');
  });
});
