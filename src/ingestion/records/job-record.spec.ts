import { normaliseJob } from './job-record';
import { timeBounds } from './time-bounds';

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

/** The checks' clock: fixed, so that the 2026-01-03 job above stays valid whenever this runs. */
const NOW = new Date('2026-06-01T00:00:00Z');
const SETTINGS = { floorDay: '2000-01-01', maxDays: 366 };
const normalise = (raw: unknown, now = NOW) => normaliseJob(raw, timeBounds(SETTINGS, now));

const issuesOf = (over: Record<string, unknown>, now = NOW) => {
  const result = normalise({ ...valid, ...over }, now);
  return result.ok ? [] : result.issues;
};
const fieldsOf = (over: Record<string, unknown>, now = NOW) => issuesOf(over, now).map((i) => i.field);

describe('normaliseJob', () => {
  it('accepts a complete job and keeps its values', () => {
    expect(normalise(valid)).toEqual({
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
        labels: {},
        gpuUtilization: null,
      },
    });
  });

  it('reads labels as a JSON object or as key=value pairs separated by ;, trimmed, and utilization', () => {
    const object = normalise({
      ...valid,
      labels: { project: ' atlas ', 'team.io/stage': 'a=b' },
      gpu_utilization: 0.62,
    });
    expect(object).toMatchObject({
      ok: true,
      record: { labels: { project: 'atlas', 'team.io/stage': 'a=b' }, gpuUtilization: '0.62' },
    });
    const pairs = normalise({ ...valid, labels: ' project = atlas ;team.io/stage=a=b;', gpu_utilization: '0.62' });
    expect(pairs).toEqual(object);
    expect(normalise({ ...valid, labels: '' })).toMatchObject({ ok: true, record: { labels: {} } });
  });

  it('counts the characters of text fields and labels as code points: 256 emoji make a label value', () => {
    expect(normalise({ ...valid, labels: { note: '😀'.repeat(256) } })).toMatchObject({ ok: true });
    expect(issuesOf({ labels: { note: '😀'.repeat(257) } })).toEqual([
      { field: 'labels.note', message: 'label note must be at most 256 characters' },
    ]);
    expect(normalise({ ...valid, model_name: '模'.repeat(199) + '😀' })).toMatchObject({ ok: true });
    expect(issuesOf({ model_name: '😀'.repeat(201) })).toEqual([
      { field: 'model_name', message: 'model_name must be at most 200 characters' },
    ]);
  });

  it('refuses bad labels, each issue naming its key', () => {
    expect(issuesOf({ labels: { Project: 'x' } })).toEqual([
      { field: 'labels', message: expect.stringContaining('label key "Project" is not valid') },
    ]);
    expect(issuesOf({ labels: { project: 'x'.repeat(257), stage: '', owner: 3 } })).toEqual([
      { field: 'labels.project', message: 'label project must be at most 256 characters' },
      { field: 'labels.stage', message: 'label stage must not be empty' },
      { field: 'labels.owner', message: 'label owner must be a string' },
    ]);
    expect(issuesOf({ labels: { project: '(none)' } })).toEqual([
      { field: 'labels.project', message: expect.stringContaining('must not be (none)') },
    ]);
    expect(issuesOf({ labels: 'project=a;project=b' })).toEqual([
      { field: 'labels.project', message: 'label project is given twice' },
    ]);
    expect(issuesOf({ labels: 'project' })).toEqual([
      { field: 'labels', message: '"project" is not a key=value pair' },
    ]);
    expect(issuesOf({ labels: ['project'] }).map((i) => i.field)).toEqual(['labels']);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(issuesOf({ labels: many })).toEqual([
      { field: 'labels', message: 'a job carries at most 32 labels (got 33)' },
    ]);
    expect(fieldsOf({ labels: { ['a'.repeat(64)]: 'x', 'a-': 'x', '-a': 'x', 'a b': 'x' } })).toEqual([
      'labels',
      'labels',
      'labels',
      'labels',
    ]);
    expect(fieldsOf({ labels: { ['a'.repeat(63)]: 'x', 'a.b_c/d-e': 'x', '0': 'x' } })).toEqual([]);
  });

  it.each([-0.1, 1.01, 'high', '1e-1', '-0.0000000000000000001'])('refuses gpu_utilization %s', (value) => {
    expect(fieldsOf({ gpu_utilization: value })).toEqual(['gpu_utilization']);
  });

  // As text the digits are stored exactly: a bound is checked on them, not on the nearest double.
  it('checks a text value against its bounds digit for digit', () => {
    expect(issuesOf({ gpu_utilization: '1.0000000000000001' })).toEqual([
      { field: 'gpu_utilization', message: 'gpu_utilization must be at most 1' },
    ]);
    expect(fieldsOf({ gpu_count: '100000.00000000000001' })).toEqual(['gpu_count']);
    expect(fieldsOf({ gpu_count: '99999.999999' })).toEqual([]);
    expect(normalise({ ...valid, gpu_utilization: '1.000', gpu_count: '.5' })).toMatchObject({
      record: { gpuUtilization: '1.000', gpuCount: '.5' },
    });
  });

  it('trims strings and lower-cases provider, gpu_type and status', () => {
    const result = normalise({
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
    expect(normalise({ ...valid, model_name: 'LLaMA-3-70B' })).toMatchObject({
      record: { modelName: 'LLaMA-3-70B' },
    });
  });

  it.each([
    ['succeeded', 'completed'],
    ['canceled', 'cancelled'],
    ['pending', 'queued'],
  ])('maps the status spelling %s to %s', (given, status) => {
    const end = status === 'queued' ? null : valid.end_time;
    expect(normalise({ ...valid, status: given, end_time: end })).toMatchObject({ ok: true, record: { status } });
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
    expect(normalise({ ...valid, gpu_count: undefined })).toMatchObject({ record: { gpuCount: '1' } });
    expect(normalise({ ...valid, gpu_count: 0.5 })).toMatchObject({ record: { gpuCount: '0.5' } });
    expect(normalise({ ...valid, gpu_count: ' 4 ' })).toMatchObject({ record: { gpuCount: '4' } });
  });

  it.each([0, -2, 'eight', true, Infinity])('rejects gpu_count %p', (gpuCount) => {
    expect(fieldsOf({ gpu_count: gpuCount })).toEqual(['gpu_count']);
  });

  // A job's GPU-hours, and every sum of its cell, team, model and labels, carry all its decimals.
  it.each([
    1e-300,
    1.5e-7,
    0.14285714285714285,
    '0.0000001',
    '0.000000000000000000000000000000000000000000000000000000000001',
  ])('refuses gpu_count %p: more than 6 decimals', (gpuCount) => {
    expect(issuesOf({ gpu_count: gpuCount })).toEqual([
      { field: 'gpu_count', message: 'gpu_count must have at most 6 decimals' },
    ]);
  });

  it('accepts gpu_count with 6 decimals, trailing zeros not counted', () => {
    expect(normalise({ ...valid, gpu_count: 0.142857 })).toMatchObject({ record: { gpuCount: '0.142857' } });
    expect(normalise({ ...valid, gpu_count: 1e-6 })).toMatchObject({ record: { gpuCount: '0.000001' } });
    expect(normalise({ ...valid, gpu_count: '0.2500000000' })).toMatchObject({ record: { gpuCount: '0.2500000000' } });
  });

  it('rejects a wrong type', () => {
    expect(issuesOf({ job_id: 42 })).toEqual([{ field: 'job_id', message: 'job_id must be a string' }]);
  });

  it('rejects a timestamp without an offset instead of guessing its zone', () => {
    expect(fieldsOf({ start_time: '2026-01-03T08:00:00' })).toEqual(['start_time']);
  });

  it('converts a timestamp with an offset to UTC', () => {
    expect(normalise({ ...valid, start_time: '2026-01-03T09:00:00+01:00' })).toMatchObject({
      record: { startTime: '2026-01-03T08:00:00.000Z' },
    });
  });

  it.each([
    ['2026-01-03T08:00Z', '2026-01-03T08:00:00.000Z'],
    ['2026-01-03t08:00:00.123456789z', '2026-01-03T08:00:00.123Z'],
    ['2026-01-03 08:00:00.5Z', '2026-01-03T08:00:00.500Z'],
  ])('writes the UTC timestamp %s as %s, as toISOString would', (start, expected) => {
    expect(normalise({ ...valid, start_time: start, end_time: null, status: 'running' })).toMatchObject({
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
    expect(fieldsOf({ start_time: start, end_time: null, status: 'running' }, new Date(start))).toEqual([]);
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
    expect(normalise({ ...valid, status: 'running', end_time: '' })).toMatchObject({
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
    const result = normalise(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.field)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports every bad field of a record at once, with the job_id when readable', () => {
    const result = normalise({ ...valid, gpu_count: -1, provider: 7 });
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
    expect(normalise(raw)).toEqual({
      ok: false,
      key: null,
      issues: [{ field: null, message: 'record must be a JSON object' }],
    });
  });

  describe('text PostgreSQL cannot store', () => {
    it.each(['job_id', 'team_name', 'model_name', 'provider', 'gpu_type', 'status'])(
      'refuses a NUL in %s, naming the field',
      (field) => {
        expect(issuesOf({ [field]: 'a\u0000b' })).toEqual([
          { field, message: `${field} must not contain the NUL character (\\u0000)` },
        ]);
      },
    );

    it('refuses a lone UTF-16 surrogate, which would be stored as another character', () => {
      expect(issuesOf({ model_name: JSON.parse('"llama-\\ud800"') })).toEqual([
        { field: 'model_name', message: 'model_name must be valid Unicode text (it holds a lone UTF-16 surrogate)' },
      ]);
    });

    it('accepts characters outside the BMP (surrogate pairs)', () => {
      expect(fieldsOf({ model_name: 'llama-\u{1F999}' })).toEqual([]);
    });

    it('names an unknown field holding a NUL in a form that can be stored', () => {
      expect(issuesOf({ 'own\u0000er': 'x' })).toEqual([
        { field: 'own\\u0000er', message: 'property own\\u0000er is not allowed' },
      ]);
    });
  });

  describe('time span bounds (JOB_START_FLOOR, JOB_MAX_DAYS, a day after now)', () => {
    it('refuses a job from 1970 to 2970, naming start_time and end_time', () => {
      expect(issuesOf({ start_time: '1970-01-01T00:00:00Z', end_time: '2970-01-01T00:00:00Z' })).toEqual([
        { field: 'start_time', message: 'start_time must be on or after 2000-01-01 (JOB_START_FLOOR)' },
        { field: 'end_time', message: 'end_time must not be more than a day in the future' },
      ]);
    });

    it('takes the floor from the settings, and accepts a start exactly on it', () => {
      const at = (floorDay: string) =>
        normaliseJob(
          { ...valid, start_time: '2020-01-01T00:00:00Z', end_time: '2020-01-01T01:00:00Z' },
          timeBounds({ ...SETTINGS, floorDay }, NOW),
        );
      expect(at('2020-01-01').ok).toBe(true);
      expect(at('2020-01-02')).toMatchObject({ ok: false, issues: [{ field: 'start_time' }] });
    });

    it('refuses a 400-day job on end_time, and accepts one of exactly JOB_MAX_DAYS', () => {
      expect(issuesOf({ start_time: '2025-01-01T00:00:00Z', end_time: '2026-02-05T00:00:00Z' })).toEqual([
        {
          field: 'end_time',
          message: 'end_time is more than 366 days after start_time; a job may run at most 366 days (JOB_MAX_DAYS)',
        },
      ]);
      expect(fieldsOf({ start_time: '2025-01-01T00:00:00Z', end_time: '2026-01-02T00:00:00Z' })).toEqual([]);
      expect(fieldsOf({ start_time: '2025-01-01T00:00:00Z', end_time: '2026-01-02T00:00:00.001Z' })).toEqual([
        'end_time',
      ]);
    });

    it('accepts an end up to a day after now (clock drift), not later', () => {
      const start = '2026-05-31T12:00:00Z';
      expect(fieldsOf({ start_time: start, end_time: '2026-06-02T00:00:00Z' })).toEqual([]);
      expect(fieldsOf({ start_time: start, end_time: '2026-06-02T00:00:00.001Z' })).toEqual(['end_time']);
    });

    it('refuses a start more than a day in the future, queued jobs included', () => {
      expect(fieldsOf({ start_time: '2026-06-03T00:00:00Z', end_time: null, status: 'queued' })).toEqual([
        'start_time',
      ]);
    });

    it('refuses a running job that started more than JOB_MAX_DAYS ago, naming start_time', () => {
      expect(issuesOf({ start_time: '2024-06-01T00:00:00Z', end_time: null, status: 'running' })).toEqual([
        {
          field: 'start_time',
          message: 'a running job may have run at most 366 days (JOB_MAX_DAYS); send its end_time and final status',
        },
      ]);
      expect(fieldsOf({ start_time: '2025-06-01T00:00:00Z', end_time: null, status: 'running' })).toEqual([]);
    });

    it('lets a queued job wait longer: it is not measured, so only its start is bounded', () => {
      expect(fieldsOf({ start_time: '2024-06-01T00:00:00Z', end_time: null, status: 'queued' })).toEqual([]);
    });
  });
});
