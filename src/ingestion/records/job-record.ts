import { JOB_STATUSES, JobStatus, normaliseStatus } from '../../jobs/job-status';
import type { JobToWrite } from '../../jobs/jobs.writer';
import { GPU_COUNT_DECIMALS, MAX_GPU_COUNT } from '../../common/input-limits';
import { MAX_CODE_LENGTH, MAX_NAME_LENGTH } from '../../common/text-limits';
import { RecordIssue, RecordReader } from './record-reader';
import type { TimeBounds } from './time-bounds';

/** A job as it arrives (JSON, NDJSON line or CSV row), before normalisation. */
export const JOB_FIELDS = [
  'job_id',
  'team_name',
  'model_name',
  'provider',
  'gpu_type',
  'gpu_count',
  'start_time',
  'end_time',
  'status',
  'labels',
  'gpu_utilization',
] as const;
/**
 * Columns a CSV of jobs must have; gpu_count (default 1), end_time (running jobs), labels (`key=value;…`)
 * and gpu_utilization may be left out.
 */
export const REQUIRED_JOB_FIELDS = [
  'job_id',
  'team_name',
  'model_name',
  'provider',
  'gpu_type',
  'start_time',
  'status',
];

/** A job ready to be written: trimmed, lower-cased where it matters, timestamps in UTC; its team by name. */
export type JobRecord = Omit<JobToWrite, 'teamId'> & { teamName: string };

export type Normalised<T> = { ok: true; record: T } | { ok: false; key: string | null; issues: RecordIssue[] };

export function normaliseJob(raw: unknown, bounds: TimeBounds): Normalised<JobRecord> {
  const reader = RecordReader.open(raw, JOB_FIELDS);
  if (!(reader instanceof RecordReader)) return { ok: false, key: null, issues: [reader] };

  const jobId = reader.text('job_id', { required: true, maxLength: MAX_NAME_LENGTH });
  const teamName = reader.text('team_name', { required: true, maxLength: MAX_NAME_LENGTH });
  const modelName = reader.text('model_name', { required: true, maxLength: MAX_NAME_LENGTH });
  const provider = reader.text('provider', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  const gpuType = reader.text('gpu_type', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  const gpuCount = reader.decimal('gpu_count', {
    required: false,
    min: 0,
    minExclusive: true,
    max: MAX_GPU_COUNT,
    maxDecimals: GPU_COUNT_DECIMALS,
    fallback: '1',
  });
  const startTime = reader.timestamp('start_time', { required: true });
  const endTime = reader.timestamp('end_time', { required: false });
  const statusText = reader.text('status', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  const labels = reader.labels('labels');
  const gpuUtilization = reader.decimal('gpu_utilization', { required: false, min: 0, max: 1 });

  let status: JobStatus | null = null;
  if (statusText !== null) {
    status = normaliseStatus(statusText);
    if (!status) reader.reject('status', `status must be one of ${JOB_STATUSES.join(', ')} (got "${statusText}")`);
  }
  if (startTime && endTime && endTime < startTime) reader.reject('end_time', 'end_time must not be before start_time');
  else checkSpan(reader, startTime, endTime, status, bounds);
  if (
    status &&
    endTime === null &&
    ['completed', 'failed', 'cancelled'].includes(status) &&
    !reader.issues.some((i) => i.field === 'end_time')
  ) {
    // Without an end a finished job would keep accruing GPU-hours (and cost) until now.
    reader.reject('end_time', `end_time is required for a ${status} job`);
  }
  if (status && endTime !== null && (status === 'queued' || status === 'running')) {
    reader.reject('end_time', `a ${status} job has no end_time yet; send the final status with it`);
  }

  if (!reader.ok) return { ok: false, key: jobId, issues: reader.issues };
  return {
    ok: true,
    record: {
      jobId: jobId!,
      teamName: teamName!,
      modelName: modelName!,
      provider: provider!,
      gpuType: gpuType!,
      gpuCount: gpuCount!,
      startTime: startTime!,
      endTime,
      status: status!,
      labels,
      gpuUtilization,
    },
  };
}

/**
 * A job lies between JOB_START_FLOOR and a day after now, and runs at most JOB_MAX_DAYS. A
 * running job is measured up to now, so it must have started within JOB_MAX_DAYS too: one that
 * claims to have run longer is almost always a job whose end was never reported, and would be
 * charged for every day since. A queued job is not measured; only its start is bounded.
 */
function checkSpan(
  reader: RecordReader,
  start: string | null,
  end: string | null,
  status: JobStatus | null,
  bounds: TimeBounds,
): void {
  let inside = true;
  if (start !== null && start < bounds.floorIso) {
    inside = false;
    reader.reject('start_time', `start_time must be on or after ${bounds.floorDay} (JOB_START_FLOOR)`);
  }
  if (start !== null && start > bounds.latestIso) {
    inside = false;
    reader.reject('start_time', 'start_time must not be more than a day in the future');
  }
  if (end !== null && end > bounds.latestIso) {
    inside = false;
    reader.reject('end_time', 'end_time must not be more than a day in the future');
  }
  if (!inside || start === null) return;
  if (end !== null) {
    if (Date.parse(end) - Date.parse(start) > bounds.maxSpanMs) {
      reader.reject(
        'end_time',
        `end_time is more than ${bounds.maxDays} days after start_time; a job may run at most ${bounds.maxDays} days (JOB_MAX_DAYS)`,
      );
    }
  } else if (status === 'running' && start < bounds.runningSinceIso) {
    reader.reject(
      'start_time',
      `a running job may have run at most ${bounds.maxDays} days (JOB_MAX_DAYS); send its end_time and final status`,
    );
  }
}
