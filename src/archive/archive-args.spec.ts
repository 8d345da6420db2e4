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
    expect(parse('--before=2026-11', '--out', 'x.csv', '--dry-run')).toEqual({
      before: '2026-11',
      out: 'x.csv',
      dryRun: true,
    });
  });

  it('takes the month just ended once it has been over for a week (ARCHIVE_SETTLE_DAYS), not before', () => {
    expect(() => parse('--before', '2026-12')).toThrow(
      '--before 2026-12 would archive 2026-11, which ended less than 7 days ago: its last bills and job ends may ' +
        'still come, and an archived day takes none. Archive it from 2026-12-08, or the months before it now with --before 2026-11',
    );
    expect(() => parseArchiveArgs(['--before', '2026-12'], new Date('2026-12-07T23:59:59Z'))).toThrow(ArchiveArgsError);
    expect(parseArchiveArgs(['--before', '2026-12'], new Date('2026-12-08T00:00:00Z'))).toMatchObject({
      before: '2026-12',
    });
  });

  it.each([
    [[], /--before YYYY-MM is required/],
    [['--before', '2026-3'], /--before must be a month written YYYY-MM \(like 2026-03\), not "2026-3"/],
    [['--before', '2026-13'], /not "2026-13"/],
    [['--before', '0000-01'], /--before must be 2000-01 or later, not 0000-01: no day is earlier/],
    [['--before', '1999-12'], /--before must be 2000-01 or later/],
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
