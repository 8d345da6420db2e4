import { teamModelSpan } from './cost-sources';

describe('teamModelSpan: which days a team × model report reads as month rows', () => {
  it('reads a whole month as its month row alone', () => {
    expect(teamModelSpan('2026-11-01', '2026-11-30')).toEqual({ months: ['2026-11-01'], outside: [], days: [] });
  });

  it('reads thirty days from the 2nd as a month row less its first day, and the next month’s day as a day', () => {
    expect(teamModelSpan('2026-11-02', '2026-12-01')).toEqual({
      months: ['2026-11-01'],
      outside: [['2026-11-01', '2026-11-01']],
      days: [['2026-12-01', '2026-12-01']],
    });
  });

  it('reads a month covered by half its days or fewer as days', () => {
    expect(teamModelSpan('2026-11-16', '2026-11-30')).toEqual({
      months: [],
      outside: [],
      days: [['2026-11-16', '2026-11-30']],
    });
    expect(teamModelSpan('2026-11-15', '2026-11-30').months).toEqual(['2026-11-01']);
  });

  it('reads a year as twelve month rows less the days outside the range at either end', () => {
    const span = teamModelSpan('2025-12-03', '2026-11-28');
    expect(span.months).toHaveLength(12);
    expect(span.outside).toEqual([
      ['2025-12-01', '2025-12-02'],
      ['2026-11-29', '2026-11-30'],
    ]);
    expect(span.days).toEqual([]);
  });

  it('knows February of a leap year', () => {
    expect(teamModelSpan('2028-02-01', '2028-02-14').days).toEqual([['2028-02-01', '2028-02-14']]);
    expect(teamModelSpan('2028-02-01', '2028-02-15').outside).toEqual([['2028-02-16', '2028-02-29']]);
  });
});
