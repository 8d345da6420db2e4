import { presets, rangeProblem } from './dates';

describe('Dashboard date ranges', () => {
  it('ends every preset on the anchor day, month to date from its first', () => {
    expect(presets('2026-03-05').map((p) => [p.label, p.range.start, p.range.end])).toEqual([
      ['Last 7 days', '2026-02-27', '2026-03-05'],
      ['Last 30 days', '2026-02-04', '2026-03-05'],
      ['Last 90 days', '2025-12-06', '2026-03-05'],
      ['Month to date', '2026-03-01', '2026-03-05'],
    ]);
  });

  it('accepts a range the API takes', () => {
    expect(rangeProblem({ start: '2025-01-01', end: '2026-01-01' })).toBeNull();
  });

  it('refuses an end before the start', () => {
    expect(rangeProblem({ start: '2026-01-02', end: '2026-01-01' })).toBe('The end must be on or after the start.');
  });

  it('refuses a range longer than the API answers', () => {
    expect(rangeProblem({ start: '2025-01-01', end: '2026-01-02' })).toBe('A range can span at most 366 days.');
  });

  it('refuses what is not a calendar day', () => {
    expect(rangeProblem({ start: '2026-02-30', end: '2026-03-01' })).toBe('Both dates must be calendar days.');
  });
});
