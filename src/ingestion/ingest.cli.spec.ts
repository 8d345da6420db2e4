import { parseCliArgs } from './ingest.cli';

describe('parseCliArgs', () => {
  it('takes the kind from the file name when --kind is absent', () => {
    expect(parseCliArgs(['data/mock_jobs.json'])).toEqual({
      file: 'data/mock_jobs.json',
      kind: 'jobs',
      dryRun: false,
      atomic: false,
    });
    expect(parseCliArgs(['data/mock_cost_snapshots.json']).kind).toBe('costs');
  });

  it('reads --kind, --dry-run and --atomic', () => {
    expect(parseCliArgs(['x.csv', '--kind', 'costs', '--dry-run', '--atomic'])).toEqual({
      file: 'x.csv',
      kind: 'costs',
      dryRun: true,
      atomic: true,
    });
  });

  it('refuses a missing file argument and an unknown kind', () => {
    expect(() => parseCliArgs([])).toThrow(/Usage/);
    expect(() => parseCliArgs(['x.csv', '--kind', 'teams'])).toThrow(/--kind must be jobs or costs/);
  });
});
