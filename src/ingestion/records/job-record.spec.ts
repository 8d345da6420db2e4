import { normaliseJob } from './job-record';

const valid = {
  job_id: 'job-1',
  team_name: 'ml-research',
  model_name: 'llama-3-70b',
  provider: 'aws',
  gpu_type: 'h100',
  gpu_count: 8,
  start_time: '2026-01-03T08:00:00Z',
  end_time: '2026-01-03T18:00:00Z',
  status: 'completed',
};

const issuesOf = (over: Record<string, unknown>) => {
  const result = normaliseJob({ ...valid, ...over });
  return result.ok ? [] : result.issues;
};
const fieldsOf = (over: Record<string, unknown>) => issuesOf(over).map((i) => i.field);

describe('normaliseJob', () => {
  it('accepts a complete job and keeps its values', () => {
    expect(normaliseJob(valid)).toEqual({
      ok: true,
      record: {
        jobId: 'job-1',
        teamName: 'ml-research',
        modelName: 'llama-3-70b',
        provider: 'aws',
        gpuType: 'h100',
        gpuCount: '8',
        startTime: '2026-01-03T08:00:00.000Z',
        endTime: '2026-01-03T18:00:00.000Z',
        status: 'completed',
      },
    });
  });

  it('trims strings and lower-cases provider, gpu_type and status', () => {
    const result = normaliseJob({
      ...valid,
      job_id: '  job-1 ',
      provider: ' AWS',
      gpu_type: 'H100 ',
      status: ' Completed ',
    });
    expect(result).toMatchObject({
      ok: true,
      record: { jobId: 'job-1', provider: 'aws', gpuType: 'h100', status: 'completed' },
    });
  });

  it('keeps the case of names (team and model names are identifiers)', () => {
    expect(normaliseJob({ ...valid, model_name: 'LLaMA-3-70B' })).toMatchObject({
      record: { modelName: 'LLaMA-3-70B' },
    });
  });

  it.each([
    ['succeeded', 'completed'],
    ['canceled', 'cancelled'],
    ['pending', 'queued'],
  ])('maps the status spelling %s to %s', (given, status) => {
    const end = status === 'queued' ? null : valid.end_time;
    expect(normaliseJob({ ...valid, status: given, end_time: end })).toMatchObject({ ok: true, record: { status } });
  });

  it('rejects an unknown status', () => {
    expect(fieldsOf({ status: 'exploded' })).toEqual(['status']);
  });

  it.each(['job_id', 'team_name', 'model_name', 'provider', 'gpu_type', 'start_time', 'status'])(
    'requires %s',
    (field) => {
      expect(issuesOf({ [field]: undefined })).toEqual([{ field, message: `${field} is required` }]);
    },
  );

  it('treats a blank required string as missing', () => {
    expect(fieldsOf({ model_name: '   ' })).toEqual(['model_name']);
  });

  it('defaults gpu_count to 1 and accepts fractions and numeric strings', () => {
    expect(normaliseJob({ ...valid, gpu_count: undefined })).toMatchObject({ record: { gpuCount: '1' } });
    expect(normaliseJob({ ...valid, gpu_count: 0.5 })).toMatchObject({ record: { gpuCount: '0.5' } });
    expect(normaliseJob({ ...valid, gpu_count: ' 4 ' })).toMatchObject({ record: { gpuCount: '4' } });
  });

  it.each([0, -2, 'eight', true, Infinity])('rejects gpu_count %p', (gpuCount) => {
    expect(fieldsOf({ gpu_count: gpuCount })).toEqual(['gpu_count']);
  });

  it('rejects a wrong type', () => {
    expect(issuesOf({ job_id: 42 })).toEqual([{ field: 'job_id', message: 'job_id must be a string' }]);
  });

  it('rejects a timestamp without an offset instead of guessing its zone', () => {
    expect(fieldsOf({ start_time: '2026-01-03T08:00:00' })).toEqual(['start_time']);
  });

  it('converts a timestamp with an offset to UTC', () => {
    expect(normaliseJob({ ...valid, start_time: '2026-01-03T09:00:00+01:00' })).toMatchObject({
      record: { startTime: '2026-01-03T08:00:00.000Z' },
    });
  });

  it.each([
    ['2026-01-03T08:00Z', '2026-01-03T08:00:00.000Z'],
    ['2026-01-03t08:00:00.123456789z', '2026-01-03T08:00:00.123Z'],
    ['2026-01-03 08:00:00.5Z', '2026-01-03T08:00:00.500Z'],
  ])('writes the UTC timestamp %s as %s, as toISOString would', (start, expected) => {
    expect(normaliseJob({ ...valid, start_time: start, end_time: null, status: 'running' })).toMatchObject({
      record: { startTime: expected },
    });
    expect(
      new Date(
        start
          .replace(' ', 'T')
          .toUpperCase()
          .replace(/(\.\d{3})\d+/, '$1'),
      ).toISOString(),
    ).toBe(expected);
  });

  it.each(['2028-02-29T00:00:00Z', '2000-02-29T00:00:00Z'])('accepts the leap day %s', (start) => {
    expect(fieldsOf({ start_time: start, end_time: null, status: 'running' })).toEqual([]);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-03T25:00:00Z',
    'yesterday',
    '2026-01-03',
  ])('rejects the impossible timestamp %s', (start) => {
    expect(fieldsOf({ start_time: start })).toEqual(['start_time']);
  });

  it('rejects an end before the start', () => {
    expect(issuesOf({ end_time: '2026-01-03T07:59:59Z' })).toEqual([
      { field: 'end_time', message: 'end_time must not be before start_time' },
    ]);
  });

  it('requires an end_time once a job finished, and refuses one while it runs', () => {
    expect(fieldsOf({ end_time: null, status: 'failed' })).toEqual(['end_time']);
    expect(fieldsOf({ status: 'running' })).toEqual(['end_time']);
    expect(normaliseJob({ ...valid, status: 'running', end_time: '' })).toMatchObject({
      ok: true,
      record: { endTime: null },
    });
  });

  it('rejects an over-long string rather than truncating it', () => {
    expect(fieldsOf({ model_name: 'x'.repeat(201) })).toEqual(['model_name']);
    expect(fieldsOf({ job_id: 'x'.repeat(10 * 1024 * 1024) })).toEqual(['job_id']);
  });

  it('rejects unknown fields, naming each', () => {
    expect(issuesOf({ cost: 3, owner: 'x' })).toEqual([
      { field: 'cost', message: 'property cost is not allowed' },
      { field: 'owner', message: 'property owner is not allowed' },
    ]);
  });

  it('treats __proto__ as an unknown field and pollutes nothing', () => {
    const raw = JSON.parse(`{"job_id":"job-1","__proto__":{"polluted":true},"team_name":"t"}`);
    const result = normaliseJob(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.field)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports every bad field of a record at once, with the job_id when readable', () => {
    const result = normaliseJob({ ...valid, gpu_count: -1, provider: 7 });
    expect(result).toEqual({
      ok: false,
      key: 'job-1',
      issues: expect.arrayContaining([
        expect.objectContaining({ field: 'gpu_count' }),
        expect.objectContaining({ field: 'provider' }),
      ]),
    });
  });

  it.each([null, 'a string', [1, 2], 7])('rejects a record that is not an object (%p)', (raw) => {
    expect(normaliseJob(raw)).toEqual({
      ok: false,
      key: null,
      issues: [{ field: null, message: 'record must be a JSON object' }],
    });
  });
});
