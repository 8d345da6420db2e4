import { addDays, DAY_MS } from '../src/common/calendar';
import { Random, weightedTable, zipfTable } from './random';

/**
 * The synthetic dataset: who ran what on which GPUs, and what each provider billed per GPU type
 * per day. Pure and deterministic: the same spec always yields the same records in the same order.
 */

const AREAS = ['nlp', 'vision', 'speech', 'search', 'ads', 'recsys', 'robotics', 'safety', 'infra', 'research'];
const UNITS = ['core', 'labs', 'prod', 'eval', 'platform'];
const FAMILIES = ['llama-3', 'mistral', 'gemma', 'qwen-2', 'phi-3', 'falcon', 'bert', 'vit'];
const SIZES = ['1b', '3b', '8b', '13b', '70b'];

/** On-demand price of one GPU-hour, the base of each day's bill. */
const GPU_HOUR_USD: Record<string, number> = { h100: 4.1, a100: 2.6, l4: 0.8, a10g: 1.1, v100: 1.5, t4: 0.35 };
const PROVIDER_MARKUP: Record<string, number> = { aws: 1, gcp: 0.95, azure: 1.05 };
/** GPUs each provider keeps reserved per type; the daily bill is for the whole fleet, used or idle. */
const FLEET_GPUS = 64;

export const CATALOGUE = {
  teams: AREAS.flatMap((area) => UNITS.map((unit) => `${area}-${unit}`)),
  models: FAMILIES.flatMap((family) => SIZES.map((size) => `${family}-${size}`)),
  providers: Object.keys(PROVIDER_MARKUP),
  gpuTypes: Object.keys(GPU_HOUR_USD),
};

export interface BenchTeam {
  name: string;
  description: string;
  budget_usd: number;
}

export interface BenchJob {
  job_id: string;
  team_name: string;
  model_name: string;
  provider: string;
  gpu_type: string;
  gpu_count: number;
  start_time: string;
  end_time: string | null;
  status: string;
  /** `project` (PROJECTS_PER_TEAM per team) and `experiment` (EXPERIMENTS_PER_PROJECT per project). */
  labels: Record<string, string>;
  /** Two decimals from 0.2 to 0.95, or null (UNMEASURED_SHARE of jobs do not report it). */
  gpu_utilization: number | null;
}

export interface BenchSnapshot {
  entry_date: string;
  provider: string;
  gpu_type: string;
  cost_usd: string;
}

export interface JobsSpec {
  /** How many jobs. */
  jobs: number;
  /** First UTC day (YYYY-MM-DD) a job may start on. */
  firstDay: string;
  /** Number of days jobs start over. */
  days: number;
  /** "Now" of the dataset: jobs that would end after it are still running. */
  horizon: string;
  seed: number;
  /** Job ids are `<prefix>-<n>`; distinct prefixes keep separately generated sets apart. */
  idPrefix: string;
  /** Share of jobs still running at the horizon, started in the last days before it. */
  runningShare?: number;
}

export function generateTeams(seed: number): BenchTeam[] {
  const random = new Random(seed ^ 0x7ea45);
  return CATALOGUE.teams.map((name) => ({
    name,
    description: `Synthetic ${name.replace('-', ' ')} team`,
    budget_usd: random.int(5, 200) * 1000,
  }));
}

/** 50 teams × 4 projects: the ~200 values of the `project` label. */
const PROJECTS_PER_TEAM = 4;
/** Experiments per project: 5,000 values of the `experiment` label in all. */
const EXPERIMENTS_PER_PROJECT = 25;
/** Share of jobs without gpu_utilization. */
const UNMEASURED_SHARE = 0.3;

/** The longest a synthetic job runs; jobs still running at the horizon started at most this long before it. */
export const LONGEST_JOB_DAYS = 14;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Jobs in job-id order. Durations are lognormal (median 90 min, minutes to days). */
export function* generateJobs(spec: JobsSpec): Generator<BenchJob> {
  const random = new Random(spec.seed);
  const teams = zipfTable(CATALOGUE.teams);
  const models = zipfTable(CATALOGUE.models);
  const providers = weightedTable([
    ['aws', 5],
    ['gcp', 3],
    ['azure', 2],
  ]);
  const gpuTypes = weightedTable([
    ['a100', 30],
    ['h100', 25],
    ['l4', 15],
    ['a10g', 10],
    ['v100', 10],
    ['t4', 10],
  ]);
  // Fractions are MIG slices and shared GPUs; 16 and 32 are multi-node runs.
  const gpuCounts = weightedTable([
    [0.125, 4],
    [0.25, 5],
    [0.5, 6],
    [1, 35],
    [2, 15],
    [4, 15],
    [8, 14],
    [16, 4],
    [32, 2],
  ]);
  const endings = weightedTable([
    ['completed', 88],
    ['failed', 8],
    ['cancelled', 4],
  ]);

  const demand = demandCalendar(spec.firstDay, spec.days);
  const windowStart = Date.parse(`${spec.firstDay}T00:00:00Z`);
  const windowMs = spec.days * DAY_MS;
  const horizon = Date.parse(`${spec.horizon}T00:00:00Z`);
  const runningWindowMs = Math.min(3, spec.days) * DAY_MS;
  const runningShare = spec.runningShare ?? 0.02;
  const width = String(spec.jobs).length;
  // Labels and utilization draw from a stream of their own: the rest of a job is what it was
  // before jobs had them, so the earlier figures keep their data.
  const tags = new Random(spec.seed ^ 0x1abe1);

  for (let n = 1; n <= spec.jobs; n++) {
    const running = random.next() < runningShare;
    const startOffset = running
      ? windowMs - runningWindowMs + random.next() * runningWindowMs
      : demand.offsetMs(random.next());
    const start = windowStart + Math.floor(startOffset / 1000) * 1000;
    const durationSeconds = Math.min(LONGEST_JOB_DAYS * 86_400, Math.max(60, Math.round(random.lognormal(5_400, 1.5))));
    const end = start + durationSeconds * 1000;
    const stillRunning = running || end > horizon;
    const team = random.pick(teams);
    const project = `${team}-p${tags.int(1, PROJECTS_PER_TEAM)}`;
    const labels = { project, experiment: `${project}-e${tags.int(1, EXPERIMENTS_PER_PROJECT)}` };
    const gpuUtilization = tags.next() < UNMEASURED_SHARE ? null : Math.round((0.2 + 0.75 * tags.next()) * 100) / 100;
    yield {
      job_id: `${spec.idPrefix}-${String(n).padStart(width, '0')}`,
      team_name: team,
      model_name: random.pick(models),
      provider: random.pick(providers),
      gpu_type: random.pick(gpuTypes),
      gpu_count: random.pick(gpuCounts),
      start_time: iso(start),
      end_time: stillRunning ? null : iso(end),
      status: stillRunning ? 'running' : random.pick(endings),
      labels,
      gpu_utilization: gpuUtilization,
    };
  }
}

/** One snapshot for every (day, provider, GPU type) from firstDay to lastDay inclusive. */
export function* generateSnapshots(firstDay: string, lastDay: string, seed: number): Generator<BenchSnapshot> {
  const random = new Random(seed ^ 0x5a9e7);
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) {
    for (const provider of CATALOGUE.providers) {
      for (const gpuType of CATALOGUE.gpuTypes) {
        const base = GPU_HOUR_USD[gpuType] * PROVIDER_MARKUP[provider] * FLEET_GPUS * 24;
        const billed = base * demandLevel(day) * (0.9 + 0.2 * random.next());
        yield { entry_date: day, provider, gpu_type: gpuType, cost_usd: billed.toFixed(2) };
      }
    }
  }
}

/**
 * Demand has a weekly pattern and a trend, so that forecasts have something to get right: weekend
 * days start WEEKEND_SHARE of a weekday's jobs, and jobs per day grow YEARLY_GROWTH a year. The
 * fleet each provider bills for follows demand (fewer nodes kept over the weekend, more as the
 * teams grow), so the allocated cost shows both.
 */
export const WEEKEND_SHARE = 0.6;
export const YEARLY_GROWTH = 0.3;
/** Where the trend is 1: any fixed day keeps a day's demand the same whatever range is generated. */
const TREND_EPOCH_MS = Date.parse('2026-01-01T00:00:00Z');

/** Relative demand on a UTC day (YYYY-MM-DD): 1 on a weekday at TREND_EPOCH. */
export function demandLevel(day: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  const weekday = new Date(ms).getUTCDay();
  return (
    (weekday === 0 || weekday === 6 ? WEEKEND_SHARE : 1) *
    (1 + YEARLY_GROWTH) ** ((ms - TREND_EPOCH_MS) / (365 * DAY_MS))
  );
}

/**
 * Job starts over `days` days with a density following demandLevel: `offsetMs(u)` turns one
 * uniform draw into an offset from the first day (inverse of the cumulative demand), so the
 * generator draws as many numbers as with uniform starts.
 */
function demandCalendar(firstDay: string, days: number): { offsetMs(u: number): number } {
  const cumulative: number[] = [];
  let total = 0;
  for (let d = 0; d < days; d++) cumulative.push((total += demandLevel(addDays(firstDay, d))));
  return {
    offsetMs(u: number): number {
      const target = u * total;
      let lo = 0;
      let hi = days - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > target) hi = mid;
        else lo = mid + 1;
      }
      const before = lo ? cumulative[lo - 1] : 0;
      const within = Math.min(1, Math.max(0, (target - before) / (cumulative[lo] - before)));
      return Math.min((lo + within) * DAY_MS, days * DAY_MS - 1);
    },
  };
}

/** The three job sets of a run, all on the same days and catalogue. */
export interface DatasetPlan {
  firstDay: string;
  lastDay: string;
  /** The day after the dataset: the incremental-refresh figure ingests it. */
  extraDay: string;
  main: JobsSpec;
  /** N/50 jobs over the same days: the baseline of the growth figures. */
  small: JobsSpec;
  /** One more day's worth of jobs, starting on extraDay. */
  extra: JobsSpec;
}

export function planDatasets(options: { jobs: number; days: number; lastDay: string; seed: number }): DatasetPlan {
  const firstDay = addDays(options.lastDay, -(options.days - 1));
  const extraDay = addDays(options.lastDay, 1);
  // Nothing ends later than the end of the extra day; the real clock is past it.
  const horizon = addDays(options.lastDay, 2);
  const main: JobsSpec = {
    jobs: options.jobs,
    firstDay,
    days: options.days,
    horizon,
    seed: options.seed,
    idPrefix: 'bench',
  };
  return {
    firstDay,
    lastDay: options.lastDay,
    extraDay,
    main,
    small: { ...main, jobs: Math.max(1, Math.round(options.jobs / 50)), idPrefix: 'bench-small' },
    extra: {
      jobs: Math.max(1, Math.round(options.jobs / options.days)),
      firstDay: extraDay,
      days: 1,
      horizon,
      seed: options.seed + 1,
      idPrefix: 'bench-day',
    },
  };
}
