import path from 'node:path';
import { parseArgs } from 'node:util';

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
 * Reads the command line. `now` decides the current month: archiving it, or a later one, would
 * archive days whose allocation still changes (running jobs, late bills), so it is refused.
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
  const current = now.toISOString().slice(0, 7);
  if (before > current) {
    const last = new Date(Date.UTC(Number(before.slice(0, 4)), Number(before.slice(5, 7)) - 2, 1))
      .toISOString()
      .slice(0, 7);
    throw new ArchiveArgsError(
      `--before ${before} would archive ${last}, ${last === current ? 'the current month' : 'a month still to come'}: ` +
        `only months that have ended can be archived (at most --before ${current})`,
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
