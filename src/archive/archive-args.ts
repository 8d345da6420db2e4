import path from 'node:path';
import { parseArgs } from 'node:util';
import { addDays } from '../common/calendar';
import { EARLIEST_DATE } from '../common/input-limits';

export const ARCHIVE_USAGE = 'Usage: npm run archive -- --before YYYY-MM [--out FILE] [--dry-run]';

/** What `npm run archive` was asked to do. */
export interface ArchiveArgs {
  /** `YYYY-MM`: the months strictly before it are archived. */
  before: string;
  /** Where the FOCUS export of the archived months goes. */
  out: string;
  dryRun: boolean;
}

/** A mistake in the command line: the message says what to change, and the command exits 2. */
export class ArchiveArgsError extends Error {}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The default file: one per boundary, under `archive/` in the working directory. */
const defaultArchiveFile = (before: string) => path.join('archive', `heliox-focus-before-${before}.csv`);

/**
 * Days a month must have been over before it can be archived. A day's bill arrives after the day
 * and providers revise the last days of a month for a few more; archived, they could never come
 * in (writes to archived days are refused), so a month-end cron on the 1st must not close them.
 */
const ARCHIVE_SETTLE_DAYS = 7;

/**
 * Reads the command line. `now` decides the current month: archiving it, or a later one, would
 * archive days whose allocation still changes (running jobs, late bills), so it is refused, and
 * so is a month that ended less than ARCHIVE_SETTLE_DAYS ago.
 */
export function parseArchiveArgs(argv: string[], now: Date): ArchiveArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ArchiveArgsError(`${(error as Error).message}\n${ARCHIVE_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length) throw new ArchiveArgsError(`Unexpected argument ${positionals[0]}\n${ARCHIVE_USAGE}`);
  const before = values.before;
  if (before === undefined) throw new ArchiveArgsError(`--before YYYY-MM is required\n${ARCHIVE_USAGE}`);
  if (!MONTH.test(before)) {
    throw new ArchiveArgsError(
      `--before must be a month written YYYY-MM (like 2026-03), not "${before}"\n${ARCHIVE_USAGE}`,
    );
  }
  if (`${before}-01` < EARLIEST_DATE) {
    throw new ArchiveArgsError(
      `--before must be ${EARLIEST_DATE.slice(0, 7)} or later, not ${before}: no day is earlier`,
    );
  }
  const current = now.toISOString().slice(0, 7);
  // The last month archived, which ends the day before `before`-01.
  const last = addDays(`${before}-01`, -1).slice(0, 7);
  if (before > current) {
    throw new ArchiveArgsError(
      `--before ${before} would archive ${last}, ${last === current ? 'the current month' : 'a month still to come'}: ` +
        `only months that have ended can be archived (at most --before ${current})`,
    );
  }
  const settled = addDays(`${before}-01`, ARCHIVE_SETTLE_DAYS);
  if (now.toISOString().slice(0, 10) < settled) {
    throw new ArchiveArgsError(
      `--before ${before} would archive ${last}, which ended less than ${ARCHIVE_SETTLE_DAYS} days ago: ` +
        `its last bills and job ends may still come, and an archived day takes none. ` +
        `Archive it from ${settled}, or the months before it now with --before ${last}`,
    );
  }
  if (values.out !== undefined && !values.out.trim())
    throw new ArchiveArgsError(`--out needs a file name\n${ARCHIVE_USAGE}`);
  return { before, out: values.out ?? defaultArchiveFile(before), dryRun: values['dry-run'] ?? false };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { before: { type: 'string' }, out: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
}
