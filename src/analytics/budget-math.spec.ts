import { budgetStatus, projectedStatus } from './budget-math';

describe('budget arithmetic', () => {
  it('says ok, warning at 80 % spent or forecast, and over past the budget', () => {
    expect(budgetStatus(100, 500, 1000)).toBe('ok');
    expect(budgetStatus(800, 800, 1000)).toBe('warning');
    expect(budgetStatus(300, 900, 1000)).toBe('warning');
    expect(budgetStatus(1000.01, 2000, 1000)).toBe('over');
    expect(budgetStatus(5, 5, null)).toBe('no_budget');
  });

  it('projects ok below 80 % of the budget, warning from 80 %, over from 100 %', () => {
    expect(projectedStatus(799.99, 1000)).toBe('ok');
    expect(projectedStatus(800, 1000)).toBe('warning');
    expect(projectedStatus(999.99, 1000)).toBe('warning');
    expect(projectedStatus(1000, 1000)).toBe('over');
    expect(projectedStatus(10, null)).toBe('no_budget');
  });

  it('treats a zero budget as over once anything is forecast', () => {
    expect(projectedStatus(0, 0)).toBe('ok');
    expect(projectedStatus(0.01, 0)).toBe('over');
  });

  it('says a zero budget is ok while nothing is spent or forecast, warning once something is forecast, over once spent', () => {
    expect(budgetStatus(0, 0, 0)).toBe('ok');
    expect(budgetStatus(0, 0.01, 0)).toBe('warning');
    expect(budgetStatus(0.01, 0.01, 0)).toBe('over');
  });
});
