import { metricValue } from './heliox-client';
import { refreshFigures } from './refresh-figures';
import { verdict } from './report';

const files = { costs: 'costs.ndjson', jobs: 'jobs.ndjson', jobCount: 2_740, snapshotCount: 18 };

describe('refreshFigures', () => {
  it('divides the rebuild by the whole uploads and its in-command time by the server-timed upkeep', () => {
    const [whole, upkeep] = refreshFigures(
      { ms: 800, upkeepMs: 250, checks: [] },
      { ms: 20_000, rebuildMs: 15_000 },
      files,
    );
    expect(whole.ratio).toBe(25);
    expect(verdict(whole)).toBe('fail');
    expect(upkeep.ratio).toBe(60);
    expect(verdict(upkeep)).toBe('pass');
  });

  it('leaves both readings unmeasured when the rebuild could not be timed', () => {
    const figures = refreshFigures(
      { ms: 800, upkeepMs: 250, checks: [] },
      { missing: 'no allocation:rebuild script' },
      files,
    );
    expect(figures.map(verdict)).toEqual(['not measured', 'not measured']);
  });
});

describe('metricValue', () => {
  const exposition = [
    '# HELP allocation_duration_seconds Allocation upkeep by step',
    'allocation_duration_seconds_sum{step="mark"} 0.25',
    'allocation_duration_seconds_sum{step="refresh"} 1.5',
  ].join('\n');

  it('reads the series with exactly these labels, and 0 for one never observed', () => {
    expect(metricValue(exposition, 'allocation_duration_seconds_sum{step="refresh"}')).toBe(1.5);
    expect(metricValue(exposition, 'allocation_duration_seconds_sum{step="rebuild"}')).toBe(0);
  });
});
