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

export interface JobDay {
  jobUuid: string;
  day: string;
  provider: string;
  gpuType: string;
  gpuHours: number;
  costUsd: number;
}

export interface CellResult {
  day: string;
  provider: string;
  gpuType: string;
  snapshotCostUsd: number | null;
  gpuHours: number;
  allocatedUsd: number;
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

/** Splits every snapshot among the jobs that used its cell, by GPU-hours. */
export function allocate(
  jobs: JobUsageInput[],
  snapshots: SnapshotInput[],
  asOf: Date,
): { jobDays: JobDay[]; cells: CellResult[] } {
  const key = (day: string, provider: string, gpuType: string) => `${day}|${provider}|${gpuType}`;
  const usageByCell = new Map<string, JobDay[]>();
  for (const job of jobs) {
    for (const { day, gpuHours } of usageByDay(job, asOf)) {
      const k = key(day, job.provider, job.gpuType);
      const list = usageByCell.get(k) ?? [];
      list.push({ jobUuid: job.id, day, provider: job.provider, gpuType: job.gpuType, gpuHours, costUsd: 0 });
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
    const gpuHours = users.reduce((sum, u) => sum + u.gpuHours, 0);
    for (const u of users) {
      u.costUsd = snapshot ? (snapshot.costUsd * u.gpuHours) / gpuHours : 0;
      jobDays.push(u);
    }
    cells.push({
      day,
      provider,
      gpuType,
      snapshotCostUsd: snapshot ? snapshot.costUsd : null,
      gpuHours,
      allocatedUsd: snapshot && users.length ? snapshot.costUsd : 0,
      unallocatedUsd: snapshot && !users.length ? snapshot.costUsd : 0,
      unpricedGpuHours: snapshot ? 0 : gpuHours,
    });
  }
  return { jobDays, cells };
}
