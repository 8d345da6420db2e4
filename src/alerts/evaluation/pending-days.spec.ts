import { dueForEvaluation, MAX_QUIET_WAIT_SECONDS, PendingDay } from './pending-days';

const marked = (...ages: number[]): PendingDay[] =>
  ages.map((age, i) => ({ day: `2026-10-${String(i + 1).padStart(2, '0')}`, marked_at: '', age_seconds: age }));

describe('when marked days are evaluated', () => {
  it('once the newest mark is as old as the quiet period', () => {
    expect(dueForEvaluation(marked(9, 2), 0, 2)).toBe(true);
    expect(dueForEvaluation(marked(9, 1.9), 0, 2)).toBe(false);
  });

  it('at every look when the quiet period is 0', () => {
    expect(dueForEvaluation(marked(0), 0, 0)).toBe(true);
  });

  it('after the longest wait even while uploads keep marking days', () => {
    expect(dueForEvaluation(marked(0.1), MAX_QUIET_WAIT_SECONDS - 1, 2)).toBe(false);
    expect(dueForEvaluation(marked(0.1), MAX_QUIET_WAIT_SECONDS, 2)).toBe(true);
  });

  it('never with nothing marked', () => {
    expect(dueForEvaluation([], MAX_QUIET_WAIT_SECONDS, 0)).toBe(false);
  });
});
