import { DAY_MS } from '../common/calendar';

/**
 * DESIGN section 4 in plain TypeScript, one job and one cell at a time. The SQL in
 * allocation's SQL files are what run; this is its executable specification: the unit tests pin
 * the rule down with hand-computed cases, and the property test checks the database against it.
 */

export interface JobUsageInput {
  id: string;
  provider: string;
  gpuType: string;
  gpuCount: number;
  start: Date;
  /** null while the job runs: it uses its GPUs up to `asOf`. */
  end: Date | null;
  status?: string;
}

export interface SnapshotInput {
  day: string;
  provider: string;
  gpuType: string;
  costUsd: number;
}

/** GPUs reserved on a provider for a GPU type over UTC days `from` … `to` (null: open-ended). */
export interface CapacityInput {
  provider: string;
  gpuType: string;
  gpuCount: number;
  from: string;
  to: string | null;
  ownerTeamId?: string | null;
}

export interface JobDay {
  jobUuid: string;
  day: string;
  provider: string;
  gpuType: string;
  gpuHours: number;
  /** At the cell's price: what `idle=separate` and `idle=owner` charge the job. */
  costUsd: number;
  /** With its share of the cell's idle: what `idle=share` charges the job. */
  shareCostUsd: number;
}

/**
 * How a cell was priced: `usage` (the snapshot split by GPU-hours), `capacity` (a GPU-hour at
 * snapshot ÷ capacity GPU-hours, the rest idle), `over_capacity` (used beyond its capacity: split
 * by GPU-hours), `idle` (a snapshot nobody used), `unpriced` (usage without a snapshot).
 */
type CellRule = 'usage' | 'capacity' | 'over_capacity' | 'idle' | 'unpriced';

export interface CellResult {
  day: string;
  provider: string;
  gpuType: string;
  snapshotCostUsd: number | null;
  gpuHours: number;
  /** gpu_count × 24 of the capacity covering the day; null without one. */
  capacityGpuHours: number | null;
  ownerTeamId: string | null;
  rule: CellRule;
  /** What a GPU-hour of the cell costs its jobs. */
  pricePerGpuHour: number;
  allocatedUsd: number;
  /** Idle: what nobody used (the whole snapshot of an unused cell, or capacity's unused hours). */
  unallocatedUsd: number;
  unpricedGpuHours: number;
}

const HOUR_MS = 3_600_000;

/** GPU-hours a job used on each UTC day it touched (days with no usage are left out). */
export function usageByDay(job: JobUsageInput, asOf: Date): { day: string; gpuHours: number }[] {
  if (job.status === 'queued') return [];
  const end = (job.end ?? asOf).getTime();
  const start = job.start.getTime();
  const days: { day: string; gpuHours: number }[] = [];
  for (let dayStart = Math.floor(start / DAY_MS) * DAY_MS; dayStart < end; dayStart += DAY_MS) {
    const overlap = Math.min(end, dayStart + DAY_MS) - Math.max(start, dayStart);
    if (overlap > 0)
      days.push({ day: new Date(dayStart).toISOString().slice(0, 10), gpuHours: (job.gpuCount * overlap) / HOUR_MS });
  }
  return days;
}

/** The capacity covering a cell's day, if any (periods of one provider × GPU type never overlap). */
function capacityOn(capacities: CapacityInput[], day: string, provider: string, gpuType: string) {
  return capacities.find(
    (c) => c.provider === provider && c.gpuType === gpuType && c.from <= day && (c.to === null || day <= c.to),
  );
}

/**
 * Splits every snapshot among the jobs that used its cell. Without capacity (or used beyond it)
 * by GPU-hours; with capacity each GPU-hour costs snapshot ÷ (gpu_count × 24) and the rest of
 * the snapshot is idle.
 */
export function allocate(
  jobs: JobUsageInput[],
  snapshots: SnapshotInput[],
  asOf: Date,
  capacities: CapacityInput[] = [],
): { jobDays: JobDay[]; cells: CellResult[] } {
  const key = (day: string, provider: string, gpuType: string) => `${day}|${provider}|${gpuType}`;
  const usageByCell = new Map<string, JobDay[]>();
  for (const job of jobs) {
    for (const { day, gpuHours } of usageByDay(job, asOf)) {
      const k = key(day, job.provider, job.gpuType);
      const list = usageByCell.get(k) ?? [];
      list.push({
        jobUuid: job.id,
        day,
        provider: job.provider,
        gpuType: job.gpuType,
        gpuHours,
        costUsd: 0,
        shareCostUsd: 0,
      });
      usageByCell.set(k, list);
    }
  }
  const snapshotByCell = new Map(snapshots.map((s) => [key(s.day, s.provider, s.gpuType), s]));
  const cellKeys = new Set([...usageByCell.keys(), ...snapshotByCell.keys()]);
  const jobDays: JobDay[] = [];
  const cells: CellResult[] = [];
  for (const k of cellKeys) {
    const [day, provider, gpuType] = k.split('|');
    const users = usageByCell.get(k) ?? [];
    const snapshot = snapshotByCell.get(k);
    const capacity = capacityOn(capacities, day, provider, gpuType);
    const capacityGpuHours = capacity ? capacity.gpuCount * 24 : null;
    const gpuHours = users.reduce((sum, u) => sum + u.gpuHours, 0);
    const rule: CellRule = !snapshot
      ? 'unpriced'
      : !users.length
        ? 'idle'
        : capacityGpuHours === null
          ? 'usage'
          : gpuHours > capacityGpuHours
            ? 'over_capacity'
            : 'capacity';
    const cost = snapshot?.costUsd ?? 0;
    const sharePrice = users.length ? cost / gpuHours : 0;
    const price = rule === 'capacity' ? cost / capacityGpuHours! : sharePrice;
    for (const u of users) {
      u.costUsd = u.gpuHours * price;
      u.shareCostUsd = u.gpuHours * sharePrice;
      jobDays.push(u);
    }
    const allocatedUsd = snapshot && users.length ? gpuHours * price : 0;
    cells.push({
      day,
      provider,
      gpuType,
      snapshotCostUsd: snapshot ? snapshot.costUsd : null,
      gpuHours,
      capacityGpuHours,
      ownerTeamId: capacity?.ownerTeamId ?? null,
      rule,
      pricePerGpuHour: price,
      allocatedUsd,
      unallocatedUsd: cost - allocatedUsd,
      unpricedGpuHours: snapshot ? 0 : gpuHours,
    });
  }
  return { jobDays, cells };
}

export type IdleTreatment = 'separate' | 'share' | 'owner';

/**
 * Each team's cost under an idle treatment, and the idle left separate: `separate` leaves all
 * idle apart; `share` charges each job-day its cell's idle in proportion to its cost there (so a
 * cell's snapshot is split by GPU-hours again), leaving the idle of cells nobody used;
 * `owner` charges a cell's idle to its capacity's owner team, leaving the rest.
 */
export function costByTeam(
  result: ReturnType<typeof allocate>,
  teamOf: (jobUuid: string) => string,
  idle: IdleTreatment,
): { teams: Map<string, { allocatedUsd: number; idleUsd: number }>; separateIdleUsd: number } {
  const teams = new Map<string, { allocatedUsd: number; idleUsd: number }>();
  const add = (team: string, allocatedUsd: number, idleUsd: number) => {
    const t = teams.get(team) ?? { allocatedUsd: 0, idleUsd: 0 };
    t.allocatedUsd += allocatedUsd;
    t.idleUsd += idleUsd;
    teams.set(team, t);
  };
  for (const jd of result.jobDays)
    add(teamOf(jd.jobUuid), jd.costUsd, idle === 'share' ? jd.shareCostUsd - jd.costUsd : 0);
  let separateIdleUsd = 0;
  for (const cell of result.cells) {
    if (idle === 'owner' && cell.ownerTeamId && cell.unallocatedUsd) add(cell.ownerTeamId, 0, cell.unallocatedUsd);
    else if (idle !== 'share' || cell.gpuHours === 0) separateIdleUsd += cell.unallocatedUsd;
  }
  return { teams, separateIdleUsd };
}
