export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The spellings schedulers actually emit, mapped to Heliox's five statuses. */
const STATUS_ALIASES: Record<string, JobStatus> = {
  succeeded: 'completed',
  success: 'completed',
  successful: 'completed',
  complete: 'completed',
  done: 'completed',
  canceled: 'cancelled',
  pending: 'queued',
  error: 'failed',
  errored: 'failed',
};

/** Every status spelling Heliox understands, its own five first. */
export const STATUS_SPELLINGS: readonly string[] = [...JOB_STATUSES, ...Object.keys(STATUS_ALIASES)];

/** A status as Heliox stores it (lower-cased input expected), or null when unknown. Ingestion and every status filter share it. */
export function normaliseStatus(value: string): JobStatus | null {
  if ((JOB_STATUSES as readonly string[]).includes(value)) return value as JobStatus;
  return Object.prototype.hasOwnProperty.call(STATUS_ALIASES, value) ? STATUS_ALIASES[value] : null;
}
