import { ArchiveArgsError, parseArchiveArgs } from './archive-args';

const NOW = new Date('2026-12-03T06:00:00Z');
const parse = (...argv: string[]) => parseArchiveArgs(argv, NOW);

describe('archive command line', () => {
  it('takes the months before --before, a default file, and --dry-run', () => {
    expect(parse('--before', '2026-03')).toEqual({
      before: '2026-03',
      out: 'archive/heliox-focus-before-2026-03.csv',
      dryRun: false,
    });
    expect(parse('--before=2026-12', '--out', 'x.csv', '--dry-run')).toEqual({
      before: '2026-12',
      out: 'x.csv',
      dryRun: true,
    });
  });

  it.each([
    [[], /--before YYYY-MM is required/],
    [['--before', '2026-3'], /--before must be a month written YYYY-MM \(like 2026-03\), not "2026-3"/],
    [['--before', '2026-13'], /not "2026-13"/],
    [['--before', '2027-01'], /would archive 2026-12, the current month: only months that have ended/],
    [['--before', '2027-06'], /would archive 2027-05, a month still to come/],
    [['--before', '2026-03', '--out', ''], /--out needs a file name/],
    [['--before', '2026-03', '--force'], /Unknown option '--force'/],
    [['--before', '2026-03', 'extra'], /Unexpected argument extra/],
  ])('refuses %j with a message saying what to change', (argv, message) => {
    expect(() => parse(...argv)).toThrow(ArchiveArgsError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
