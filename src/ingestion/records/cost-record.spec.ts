import { normaliseCost } from './cost-record';
import { timeBounds } from './time-bounds';

const valid = { entry_date: '2026-01-03', provider: 'AWS', gpu_type: 'H100', cost_usd: 900 };
/** The checks' clock: fixed, so that the dates above stay valid whenever this runs. */
const NOW = new Date('2026-06-01T12:00:00Z');
const normalise = (raw: unknown) => normaliseCost(raw, timeBounds({ floorDay: '2000-01-01', maxDays: 366 }, NOW));
const fieldsOf = (over: Record<string, unknown>) => {
  const result = normalise({ ...valid, ...over });
  return result.ok ? [] : result.issues.map((i) => i.field);
};

describe('normaliseCost', () => {
  it('accepts a snapshot, lower-casing provider and gpu_type', () => {
    expect(normalise(valid)).toEqual({
      ok: true,
      record: { entryDate: '2026-01-03', provider: 'aws', gpuType: 'h100', costUsd: '900' },
    });
  });

  it('keeps a decimal cost as text, never through a float', () => {
    expect(normalise({ ...valid, cost_usd: '1573.0812' })).toMatchObject({ record: { costUsd: '1573.0812' } });
  });

  it('accepts a zero cost and rejects a negative one', () => {
    expect(fieldsOf({ cost_usd: 0 })).toEqual([]);
    expect(fieldsOf({ cost_usd: -0.01 })).toEqual(['cost_usd']);
  });

  it.each(['2026-13-01', '2026-02-29', '03/01/2026', '2026-01-03T00:00:00Z'])('rejects the entry_date %s', (date) => {
    expect(fieldsOf({ entry_date: date })).toEqual(['entry_date']);
  });

  it('accepts a leap day', () => {
    expect(fieldsOf({ entry_date: '2024-02-29' })).toEqual([]);
  });

  it('requires every field and rejects unknown ones', () => {
    expect(fieldsOf({ cost_usd: undefined, currency: 'EUR' })).toEqual(['currency', 'cost_usd']);
  });

  it('names the snapshot by its key when readable', () => {
    expect(normalise({ ...valid, cost_usd: 'lots' })).toMatchObject({ ok: false, key: '2026-01-03/aws/h100' });
  });

  it('refuses a NUL or a lone surrogate in provider and gpu_type, naming the field', () => {
    expect(fieldsOf({ provider: 'aws\u0000' })).toEqual(['provider']);
    expect(fieldsOf({ gpu_type: JSON.parse('"h100\\udc00"') })).toEqual(['gpu_type']);
  });

  it('takes snapshots dated from JOB_START_FLOOR to tomorrow (UTC), not outside', () => {
    expect(fieldsOf({ entry_date: '2000-01-01' })).toEqual([]);
    expect(fieldsOf({ entry_date: '2026-06-02' })).toEqual([]);
    expect(normalise({ ...valid, entry_date: '1999-12-31' })).toMatchObject({
      ok: false,
      issues: [{ field: 'entry_date', message: 'entry_date must be on or after 2000-01-01 (JOB_START_FLOOR)' }],
    });
    expect(normalise({ ...valid, entry_date: '2026-06-03' })).toMatchObject({
      ok: false,
      issues: [{ field: 'entry_date', message: 'entry_date must be 2026-06-02 (tomorrow, UTC) or earlier' }],
    });
  });
});
