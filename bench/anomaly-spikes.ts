import { addDays, DAY_MS } from '../src/common/calendar';
import { BenchJob, BenchSnapshot, CATALOGUE } from './dataset';
import { Random } from './random';

/**
 * Spikes planted in the synthetic data for the anomaly figures: about one per team every two
 * months, each on a random judged day and a (provider, GPU type) cell the team uses, made of
 * extra jobs worth 3–6× the team's typical daily cost there (and at least a minimum size). The
 * provider bills the extra GPU-hours at that day's rate, so the cell's rate, and every other
 * team's cost, stay as they were. Deterministic for a seed; where they went is recorded.
 */

export interface PlantedSpike {
  day: string;
  team_name: string;
  provider: string;
  gpu_type: string;
  /** The team's median daily cost in the cell over the dataset, USD. */
  typical_usd: number;
  /** What the extra jobs cost (added to the cell's bill that day), USD. */
  extra_usd: number;
  jobs: BenchJob[];
}

export interface SpikeOptions {
  firstDay: string;
  days: number;
  seed: number;
  /** The smallest spike, in USD (above the detector's dollar minimum, or it could not be found). */
  minUsd: number;
  /** Days from the start before which no spike is planted (the detector's history). */
  historyDays: number;
}

/** Every team's daily usage per cell (and each cell's total), as allocation measures it: GPU-hours per UTC day. */
export class DailyUsage {
  readonly cells = CATALOGUE.providers.flatMap((provider) =>
    CATALOGUE.gpuTypes.map((gpu_type) => ({ provider, gpu_type })),
  );
  private readonly cellIndex = new Map(this.cells.map((c, i) => [`${c.provider}|${c.gpu_type}`, i]));
  private readonly teamIndex = new Map(CATALOGUE.teams.map((t, i) => [t, i]));
  /** [team][cell][day] GPU-hours. */
  readonly team: Float64Array;
  /** [cell][day] GPU-hours. */
  readonly total: Float64Array;

  constructor(
    readonly firstDay: string,
    readonly days: number,
  ) {
    this.team = new Float64Array(CATALOGUE.teams.length * this.cells.length * days);
    this.total = new Float64Array(this.cells.length * days);
  }

  cellOf(provider: string, gpuType: string): number {
    return this.cellIndex.get(`${provider}|${gpuType}`)!;
  }

  teamOf(name: string): number {
    return this.teamIndex.get(name)!;
  }

  at(team: number, cell: number, day: number): number {
    return this.team[(team * this.cells.length + cell) * this.days + day];
  }

  /** Adds a job, running ones up to `horizon` (their days in the dataset are whole either way). */
  add(job: BenchJob, horizon: string): void {
    const origin = Date.parse(`${this.firstDay}T00:00:00Z`);
    const start = Date.parse(job.start_time);
    const end = job.end_time ? Date.parse(job.end_time) : Date.parse(`${horizon}T00:00:00Z`);
    const cell = this.cellOf(job.provider, job.gpu_type);
    const team = this.teamOf(job.team_name);
    for (let d = Math.max(0, Math.floor((start - origin) / DAY_MS)); d < this.days; d++) {
      const dayStart = origin + d * DAY_MS;
      if (dayStart >= end) break;
      const hours = (job.gpu_count * (Math.min(end, dayStart + DAY_MS) - Math.max(start, dayStart))) / 3_600_000;
      if (hours <= 0) continue;
      this.team[(team * this.cells.length + cell) * this.days + d] += hours;
      this.total[cell * this.days + d] += hours;
    }
  }
}

/** Bills per cell and day, [cell][day], from the snapshots. */
export function billsOf(usage: DailyUsage, snapshots: Iterable<BenchSnapshot>): Float64Array {
  const bills = new Float64Array(usage.cells.length * usage.days);
  const origin = Date.parse(`${usage.firstDay}T00:00:00Z`);
  for (const s of snapshots) {
    const d = Math.round((Date.parse(`${s.entry_date}T00:00:00Z`) - origin) / DAY_MS);
    if (d >= 0 && d < usage.days) bills[usage.cellOf(s.provider, s.gpu_type) * usage.days + d] = Number(s.cost_usd);
  }
  return bills;
}

/** A team's cost in a cell on a day: the cell's bill split by GPU-hours (DESIGN section 4). */
export function teamCost(usage: DailyUsage, bills: Float64Array, team: number, cell: number, day: number): number {
  const total = usage.total[cell * usage.days + day];
  return total > 0 ? (bills[cell * usage.days + day] * usage.at(team, cell, day)) / total : 0;
}

const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The biggest GPU count of the catalogue: the fewest jobs for a spike. */
const SPIKE_GPUS = 32;
/** Each spike job runs at most this many hours, from 01:00 UTC: within its day. */
const SPIKE_JOB_HOURS = 20;
/** GPU counts a spike job may take, fewest first. */
const SPIKE_GPU_COUNTS = [0.125, 1, 2, 4, 8, 16, SPIKE_GPUS];

/** Where the spikes go and the jobs that make them, from the dataset's usage and bills. */
export function planSpikes(usage: DailyUsage, bills: Float64Array, options: SpikeOptions): PlantedSpike[] {
  const random = new Random(options.seed ^ 0x5b1ce);
  const first = Math.min(options.historyDays, options.days - 1);
  const judged = options.days - first;
  const perTeam = Math.max(1, Math.round(judged / 60));
  const spikes: PlantedSpike[] = [];
  let serial = 0;
  CATALOGUE.teams.forEach((teamName, team) => {
    // The cells the team uses: cost on at least half the days; else its costliest cell.
    const typical = usage.cells.map((_, cell) => {
      const costs = Array.from({ length: options.days }, (_, d) => teamCost(usage, bills, team, cell, d));
      return { cell, median: median(costs), mean: costs.reduce((a, b) => a + b, 0) / costs.length };
    });
    const used = typical.filter((t) => t.median > 0);
    const candidates = used.length ? used : [typical.reduce((a, b) => (b.mean > a.mean ? b : a))];
    for (let s = 0; s < perTeam; s++) {
      // One spike in each of perTeam equal stretches of the judged days.
      const lo = first + Math.floor((s * judged) / perTeam);
      const hi = first + Math.floor(((s + 1) * judged) / perTeam) - 1;
      const day = random.int(lo, hi);
      const { cell, median: typicalUsd } = candidates[random.int(0, candidates.length - 1)];
      const extra = Math.max(options.minUsd, (3 + 3 * random.next()) * typicalUsd);
      const key = cell * usage.days + day;
      const rate = usage.total[key] > 0 ? bills[key] / usage.total[key] : 1;
      const gpuHours = extra / rate;
      const count = Math.ceil(gpuHours / (SPIKE_GPUS * SPIKE_JOB_HOURS));
      const date = addDays(options.firstDay, day);
      // Small spikes (a quiet cell's rate can be high) run on the fewest GPUs that finish within
      // SPIKE_JOB_HOURS, for long enough that whole seconds bill them to within a fraction of a percent.
      const perJob = gpuHours / count;
      const gpus = SPIKE_GPU_COUNTS.find((g) => perJob / g <= SPIKE_JOB_HOURS) ?? SPIKE_GPUS;
      const seconds = Math.max(1, Math.round((perJob / gpus) * 3600));
      const start = Date.parse(`${date}T01:00:00Z`);
      const { provider, gpu_type } = usage.cells[cell];
      const model = CATALOGUE.models[random.int(0, CATALOGUE.models.length - 1)];
      const jobs = Array.from({ length: count }, (): BenchJob => ({
        job_id: `bench-spike-${String(++serial).padStart(5, '0')}`,
        team_name: teamName,
        model_name: model,
        provider,
        gpu_type,
        gpu_count: gpus,
        start_time: new Date(start).toISOString().replace('.000Z', 'Z'),
        end_time: new Date(start + seconds * 1000).toISOString().replace('.000Z', 'Z'),
        status: 'completed',
        labels: { project: `${teamName}-p1`, experiment: `${teamName}-spike` },
        gpu_utilization: null,
      }));
      // Billed at the day's rate for exactly the hours the jobs use (rounded to whole seconds).
      const billed = (count * gpus * seconds * rate) / 3600;
      spikes.push({
        day: date,
        team_name: teamName,
        provider,
        gpu_type,
        typical_usd: typicalUsd,
        extra_usd: billed,
        jobs,
      });
    }
  });
  return spikes.sort((a, b) => a.day.localeCompare(b.day) || a.team_name.localeCompare(b.team_name));
}

/** The snapshots with each spike's extra GPU-hours added to its cell's bill that day. */
export function* withSpikeBills(snapshots: Iterable<BenchSnapshot>, spikes: PlantedSpike[]): Generator<BenchSnapshot> {
  const extra = new Map<string, number>();
  for (const s of spikes) {
    const key = `${s.day}|${s.provider}|${s.gpu_type}`;
    extra.set(key, (extra.get(key) ?? 0) + s.extra_usd);
  }
  for (const snapshot of snapshots) {
    const add = extra.get(`${snapshot.entry_date}|${snapshot.provider}|${snapshot.gpu_type}`);
    yield add ? { ...snapshot, cost_usd: (Number(snapshot.cost_usd) + add).toFixed(2) } : snapshot;
  }
}

/** The jobs followed by every spike's jobs. */
export function* withSpikeJobs(jobs: Iterable<BenchJob>, spikes: PlantedSpike[]): Generator<BenchJob> {
  yield* jobs;
  for (const spike of spikes) yield* spike.jobs;
}
