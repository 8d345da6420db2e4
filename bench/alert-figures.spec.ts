import { alertFigure, evaluationTotals } from './alert-figures';
import { verdict } from './report';

const files = { costs: 'costs.ndjson', jobs: 'jobs.ndjson', jobCount: 667, snapshotCount: 18 };
const day = { ms: 400, upkeepMs: 120, checks: [] };

describe('evaluationTotals', () => {
  it('reads the time and count of the evaluations of changed days, not of the scheduled ones', () => {
    const exposition = [
      '# HELP alerts_evaluation_duration_seconds Alert rule evaluations by trigger',
      'alerts_evaluation_duration_seconds_sum{trigger="scheduled"} 4.5',
      'alerts_evaluation_duration_seconds_count{trigger="scheduled"} 3',
      'alerts_evaluation_duration_seconds_sum{trigger="changed_days"} 0.125',
      'alerts_evaluation_duration_seconds_count{trigger="changed_days"} 2',
    ].join('\n');
    expect(evaluationTotals(exposition)).toEqual({ seconds: 0.125, count: 2 });
  });

  it('is zero before any evaluation', () => {
    expect(evaluationTotals('# no alerts yet\n')).toEqual({ seconds: 0, count: 0 });
  });
});

describe('alertFigure', () => {
  it('divides the evaluation by the one-day ingestion and passes under a tenth', () => {
    const figure = alertFigure({ ms: 30, evaluations: 1, events: 12 }, 50, day, files);
    expect(figure.ratio).toBe(0.075);
    expect(verdict(figure)).toBe('pass');
  });

  it('fails at a tenth or more (the target is "under 10 %")', () => {
    expect(verdict(alertFigure({ ms: 40, evaluations: 2, events: 0 }, 50, day, files))).toBe('fail');
  });
});
