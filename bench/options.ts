import { addDays } from '../src/common/calendar';
import { LONGEST_JOB_DAYS } from './dataset';

/** Command-line options of `npm run bench -- …`. */
export interface BenchOptions {
  jobs: number;
  days: number;
  /** Last UTC day of the dataset; by default the day before yesterday, so the extra day is complete. */
  lastDay: string;
  seed: number;
  out: string;
  /** Seconds of each autocannon load run; the reads during uploads scale with it too. */
  duration: number;
  /** Latency samples per question (after a warm-up call). */
  samples: number;
  /** Exit non-zero when a speed target is missed, too. */
  strict: boolean;
  /** Keep the generated files and print where they are. */
  keepFiles: boolean;
  /**
   * A growth run: the first `stageJobs` jobs are measured as a stage, then the rest is loaded
   * onto them and the same figures are taken again (growth-run.ts). Set by --stage-jobs, and to
   * a million whenever --jobs is above a million.
   */
  stageJobs?: number;
}

export const USAGE = `Usage: npm run bench -- [--jobs N] [--days D] [--out FILE] [--duration S] [--samples K]
                         [--seed S] [--end-date YYYY-MM-DD] [--strict] [--keep-files]

  --jobs N        jobs in the dataset (default 1000000)
  --days D        days the jobs start over (default 365)
  --out FILE      where the Markdown table goes (default bench/results.md)
  --duration S    seconds of each GET /jobs load run at 50 connections, and the time budget of
                  each side of a latency figure (default 10; 2 below 100000 jobs, a smoke run);
                  the reads during uploads run 12 × S with uploads against 2 × 3 × S without
  --samples K     most latency samples per side of a latency figure (default 20)
  --seed S        dataset seed (default 42)
  --end-date DAY  last day of the dataset (default: the day before yesterday, UTC)
  --strict        also exit 1 when a speed target is missed (default: only on errors and mismatches)
  --keep-files    keep the generated NDJSON/CSV files
  --stage-jobs M  a growth run: measure at M jobs, load the other N − M onto them, measure again
                  and report N ÷ M (default 1000000 when --jobs is above a million; the results go
                  to bench/results-<N>.md, e.g. bench/results-10m.md)

DATABASE_URL, when set, names the PostgreSQL server to use (a scratch database is created on it
and dropped at the end); otherwise an embedded PostgreSQL runs in a temp dir.`;

export class UsageError extends Error {}

/**
 * The API's default JOB_MAX_DAYS: the dataset's running jobs must have started within it, or they
 * would be record errors instead of load. (Its JOB_START_FLOOR, 2000-01-01, is out of reach:
 * --days is at most 3,650 and --end-date at most a year back.)
 */
const JOB_MAX_DAYS = 366;

/** Below this many jobs a run is a smoke test of the harness, with short load runs by default. */
const SMOKE_JOBS = 100_000;

/** Above this many jobs a run is a growth run with a stage of this size (see BenchOptions.stageJobs). */
const GROWTH_STAGE_JOBS = 1_000_000;

/** Days after the dataset that a run uploads one at a time: a growth run uploads one per stage. */
const extraDaysOf = (options: { stageJobs?: number }) => (options.stageJobs ? 2 : 1);

/** 10000000 → "10m", 20000 → "20k": the name of a growth run's results file. */
function shortCount(n: number): string {
  const [divisor, suffix] = n >= 1_000_000 ? [1_000_000, 'm'] : n >= 1_000 ? [1_000, 'k'] : [1, ''];
  return `${Number((n / divisor).toFixed(2))}${suffix}`;
}

const positiveInt = (name: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER): number => {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`${name} needs a whole number between 1 and ${max}, got ${raw ?? 'nothing'}`);
  }
  return Number(raw);
};

export function parseOptions(argv: string[], today: Date = new Date()): BenchOptions {
  const todayUtc = today.toISOString().slice(0, 10);
  const options: BenchOptions = {
    jobs: 1_000_000,
    days: 365,
    lastDay: '',
    seed: 42,
    out: 'bench/results.md',
    duration: 0,
    samples: 20,
    strict: false,
    keepFiles: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--jobs':
        options.jobs = positiveInt(flag, value(), 50_000_000);
        break;
      case '--days':
        options.days = positiveInt(flag, value(), 3_650);
        break;
      case '--seed':
        options.seed = positiveInt(flag, value(), 2 ** 32 - 1);
        break;
      case '--duration':
        options.duration = positiveInt(flag, value(), 3_600);
        break;
      case '--samples':
        options.samples = positiveInt(flag, value(), 10_000);
        break;
      case '--out': {
        const out = value();
        if (!out) throw new UsageError('--out needs a file name');
        options.out = out;
        break;
      }
      case '--end-date': {
        const day = value();
        if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
          throw new UsageError(`--end-date needs a YYYY-MM-DD day, got ${day ?? 'nothing'}`);
        }
        options.lastDay = day;
        break;
      }
      case '--stage-jobs':
        options.stageJobs = positiveInt(flag, value(), 50_000_000);
        break;
      case '--strict':
        options.strict = true;
        break;
      case '--keep-files':
        options.keepFiles = true;
        break;
      default:
        throw new UsageError(`Unknown option ${flag}`);
    }
  }
  if (options.jobs < 50) throw new UsageError('--jobs must be at least 50 (the growth figure uses N/50 jobs)');
  if (options.stageJobs === undefined && options.jobs > GROWTH_STAGE_JOBS) options.stageJobs = GROWTH_STAGE_JOBS;
  if (options.stageJobs !== undefined) {
    if (options.stageJobs < 50 || options.stageJobs >= options.jobs) {
      throw new UsageError(
        `--stage-jobs must be at least 50 and below --jobs (${options.jobs}), got ${options.stageJobs}`,
      );
    }
    if (!argv.includes('--out')) options.out = `bench/results-${shortCount(options.jobs)}.md`;
  }
  // Jobs end by the day after the last extra day; later than today they would end in the future.
  const latest = addDays(todayUtc, -1 - extraDaysOf(options));
  if (!options.lastDay) options.lastDay = latest;
  else {
    if (options.lastDay > latest) throw new UsageError(`--end-date must be ${latest} or earlier`);
    // Jobs still running at the horizon started at most LONGEST_JOB_DAYS before it; the API
    // refuses a job running for over JOB_MAX_DAYS.
    const earliest = addDays(todayUtc, -(JOB_MAX_DAYS - LONGEST_JOB_DAYS));
    if (options.lastDay < earliest) {
      throw new UsageError(
        `--end-date must be ${earliest} or later: the dataset's running jobs must have started within the API's JOB_MAX_DAYS (${JOB_MAX_DAYS})`,
      );
    }
  }
  // A smoke-sized run (CI) keeps to about a minute and a half; a full run loads for 10 s.
  options.duration ||= options.jobs < SMOKE_JOBS ? 2 : 10;
  return options;
}
