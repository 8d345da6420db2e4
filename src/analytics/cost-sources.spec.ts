import { ScopedFilters, sourceFor, teamModelSpan } from './cost-sources';
import { CostDimension } from './dto/cost-query.dto';

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

describe('sourceFor: team × model rows summed a group at a time when each group has only a few', () => {
  const TEAM = '0b3c0c2e-6f1e-4a4e-9d51-2f7b8f2c1a10';
  const sortedFor = (dims: CostDimension[], start: string, end: string, extra: Partial<ScopedFilters> = {}) =>
    sourceFor(dims, { start, end, ...extra }).fewRowsPerGroup === true;

  it('sorts thirty days from the 2nd: a month row, a day outside it, a day after it and the first day', () => {
    expect(sortedFor(['team', 'model'], '2026-11-02', '2026-12-01')).toBe(true);
  });

  it('sorts a week of day rows, and hashes two weeks and a year', () => {
    expect(sortedFor(['model', 'team'], '2026-11-25', '2026-12-01')).toBe(true);
    expect(sortedFor(['team', 'model'], '2026-11-18', '2026-12-01')).toBe(false);
    expect(sortedFor(['team', 'model'], '2025-12-02', '2026-12-01')).toBe(false);
  });

  it('sorts when a filter makes the group one team and one model, not when a group spans models or teams', () => {
    expect(sortedFor(['team'], '2026-11-02', '2026-12-01', { model_name: 'llama' })).toBe(true);
    expect(sortedFor(['model'], '2026-11-02', '2026-12-01', { team_id: TEAM })).toBe(true);
    expect(sortedFor(['model'], '2026-11-02', '2026-12-01', { model_name: 'llama' })).toBe(false);
    expect(sortedFor([], '2026-11-02', '2026-12-01', { team_id: TEAM, model_name: 'llama' })).toBe(false);
  });

  it('hashes groups by a time key and the other tables', () => {
    expect(sortedFor(['team', 'model', 'day'], '2026-11-25', '2026-12-01')).toBe(false);
    expect(sortedFor(['team'], '2026-11-25', '2026-12-01')).toBe(false);
    expect(sortedFor(['team', 'model'], '2026-11-25', '2026-12-01', { provider: 'aws' })).toBe(false);
  });
});
