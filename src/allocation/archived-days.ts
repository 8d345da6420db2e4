/**
 * What a change of a job does to archived days (docs/allocation.md, "Archiving old months"): a
 * version's usage there is its GPUs on its provider and GPU type from its start to its end or the
 * first unarchived day, whichever comes first; a queued job uses nothing.
 */

/** A version of a job as far as its usage goes. */
interface JobVersion {
  provider: string;
  gpuType: string;
  /** Decimal text (or a number), compared as a number: `8` and `8.0` are the same GPUs. */
  gpuCount: string | number;
  status: string;
  startTime: Date | string;
  endTime: Date | string | null;
}

/** A job as it was (null: it is new) and as a writer is about to make it. */
export interface JobUsageChange {
  jobId: string;
  old: JobVersion | null;
  new: JobVersion;
}

const ms = (t: Date | string) => (t instanceof Date ? t.getTime() : Date.parse(t));

/** The version's usage before `beforeMs`, as comparable fields; null when it has none there. */
function archivedUsage(v: JobVersion, beforeMs: number): Record<string, string | number> | null {
  const start = ms(v.startTime);
  const end = Math.min(v.endTime === null ? Infinity : ms(v.endTime), beforeMs);
  if (v.status === 'queued' || start >= end) return null;
  return {
    provider: v.provider,
    gpu_type: v.gpuType,
    gpu_count: Number(v.gpuCount),
    status: 'used',
    start_time: start,
    end_time: end,
  };
}

/**
 * The field of the record whose change would move usage on days before `before` (`YYYY-MM-DD`,
 * the first unarchived day), or null when the archived days are left as they were: a job running
 * across the boundary may still end, and a job may change its team or labels (the archive file
 * keeps what they were).
 */
export function archivedUsageChange(change: JobUsageChange, before: string): string | null {
  const beforeMs = Date.parse(`${before}T00:00:00Z`);
  const now = archivedUsage(change.new, beforeMs);
  const was = change.old ? archivedUsage(change.old, beforeMs) : null;
  if (!now && !was) return null;
  if (!now || !was) {
    // Usage appears or disappears: the status when it is queued-ness that differs, else the start.
    const queued = (v: JobVersion | null) => v?.status === 'queued';
    return change.old && queued(change.old) !== queued(change.new) ? 'status' : 'start_time';
  }
  return Object.keys(now).find((field) => now[field] !== was[field]) ?? null;
}
