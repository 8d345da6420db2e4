import { archivedUsageChange, JobUsageChange } from './archived-days';

const BEFORE = '2026-02-01';
const job = (fields: Partial<JobUsageChange['new']> = {}): JobUsageChange['new'] => ({
  provider: 'aws',
  gpuType: 'h100',
  gpuCount: '8',
  status: 'completed',
  startTime: '2026-01-20T00:00:00.000Z',
  endTime: '2026-01-21T00:00:00.000Z',
  ...fields,
});
const change = (old: JobUsageChange['old'], now: JobUsageChange['new']) =>
  archivedUsageChange({ jobId: 'j', old, new: now }, BEFORE);

describe('what a job change does to archived days', () => {
  it('leaves them alone when the usage before the boundary stays', () => {
    expect(change(job(), job({ status: 'failed' }))).toBeNull();
    expect(change(job(), job({ gpuCount: '8.0' }))).toBeNull();
    // A job running across the boundary ends: its archived days are what they were.
    const running = job({ status: 'running', endTime: null });
    expect(change(running, job({ endTime: '2026-03-02T00:00:00.000Z' }))).toBeNull();
    // Jobs after the boundary, new or changed, do not touch archived days.
    expect(change(null, job({ startTime: '2026-02-01T00:00:00.000Z', endTime: null }))).toBeNull();
    expect(change(null, job({ status: 'queued' }))).toBeNull();
  });

  it('names the field that moves usage before the boundary', () => {
    expect(change(null, job())).toBe('start_time');
    expect(change(job(), job({ gpuCount: 4 }))).toBe('gpu_count');
    expect(change(job(), job({ gpuType: 'a100' }))).toBe('gpu_type');
    expect(change(job(), job({ endTime: '2026-01-22T00:00:00.000Z' }))).toBe('end_time');
    expect(change(job(), job({ status: 'queued' }))).toBe('status');
    expect(change(job({ startTime: '2026-02-03T00:00:00.000Z', endTime: null }), job())).toBe('start_time');
    // Ending a job that ran across the boundary before it changes the archived days.
    expect(change(job({ endTime: null, status: 'running' }), job({ endTime: '2026-01-25T00:00:00.000Z' }))).toBe(
      'end_time',
    );
  });
});
