import { parseOptions, UsageError } from './options';

const today = new Date('2026-11-28T12:00:00Z');

describe('parseOptions', () => {
  it('defaults to a million jobs over the 365 days ending the day before yesterday', () => {
    expect(parseOptions([], today)).toMatchObject({
      jobs: 1_000_000,
      days: 365,
      lastDay: '2026-11-26',
      out: 'bench/results.md',
      duration: 10,
      strict: false,
    });
  });

  it('loads for 2 s per figure in a smoke-sized run unless told otherwise', () => {
    expect(parseOptions(['--jobs', '20000', '--days', '30'], today).duration).toBe(2);
    expect(parseOptions(['--jobs', '20000', '--duration', '5'], today).duration).toBe(5);
  });

  it('reads the smoke-test options', () => {
    expect(
      parseOptions(['--jobs', '20000', '--days', '30', '--duration', '2', '--out', '/tmp/r.md', '--strict'], today),
    ).toMatchObject({
      jobs: 20_000,
      days: 30,
      duration: 2,
      out: '/tmp/r.md',
      strict: true,
    });
  });

  it('refuses unknown flags, non-numbers and an end date too late for the extra day', () => {
    expect(() => parseOptions(['--fast'], today)).toThrow(UsageError);
    expect(() => parseOptions(['--jobs', '1e6'], today)).toThrow('--jobs needs a whole number');
    expect(() => parseOptions(['--end-date', '2026-11-27'], today)).toThrow('2026-11-26 or earlier');
    expect(parseOptions(['--end-date', '2026-01-31'], today).lastDay).toBe('2026-01-31');
  });

  it("refuses an end date so old that the dataset's running jobs would exceed the API's JOB_MAX_DAYS", () => {
    expect(parseOptions(['--end-date', '2025-12-11'], today).lastDay).toBe('2025-12-11');
    expect(() => parseOptions(['--end-date', '2025-12-10'], today)).toThrow('2025-12-11 or later');
  });

  it('makes a run above a million jobs a growth run with a million-job stage, writing bench/results-<N>.md', () => {
    expect(parseOptions(['--jobs', '10000000'], today)).toMatchObject({
      jobs: 10_000_000,
      stageJobs: 1_000_000,
      out: 'bench/results-10m.md',
    });
    expect(parseOptions(['--jobs', '20000', '--stage-jobs', '2000'], today)).toMatchObject({
      stageJobs: 2_000,
      out: 'bench/results-20k.md',
    });
    expect(parseOptions(['--jobs', '20000', '--stage-jobs', '2000', '--out', '/tmp/g.md'], today).out).toBe(
      '/tmp/g.md',
    );
    expect(parseOptions([], today).stageJobs).toBeUndefined();
  });

  it('ends a growth run a day earlier by default: it uploads two days after the dataset', () => {
    expect(parseOptions(['--jobs', '20000', '--stage-jobs', '2000'], today).lastDay).toBe('2026-11-25');
    expect(() => parseOptions(['--jobs', '20000', '--stage-jobs', '2000', '--end-date', '2026-11-26'], today)).toThrow(
      '2026-11-25 or earlier',
    );
  });

  it('refuses a stage as large as the whole run', () => {
    expect(() => parseOptions(['--jobs', '20000', '--stage-jobs', '20000'], today)).toThrow('below --jobs');
    expect(() => parseOptions(['--jobs', '20000', '--stage-jobs', '10'], today)).toThrow('at least 50');
  });
});
