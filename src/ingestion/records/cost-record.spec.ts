import { normaliseCost } from './cost-record';

const valid = { entry_date: '2026-01-03', provider: 'AWS', gpu_type: 'H100', cost_usd: 900 };
const fieldsOf = (over: Record<string, unknown>) => {
  const result = normaliseCost({ ...valid, ...over });
  return result.ok ? [] : result.issues.map((i) => i.field);
};

describe('normaliseCost', () => {
  it('accepts a snapshot, lower-casing provider and gpu_type', () => {
    expect(normaliseCost(valid)).toEqual({
      ok: true,
      record: { entryDate: '2026-01-03', provider: 'aws', gpuType: 'h100', costUsd: '900' },
    });
  });

  it('keeps a decimal cost as text, never through a float', () => {
    expect(normaliseCost({ ...valid, cost_usd: '1573.0812' })).toMatchObject({ record: { costUsd: '1573.0812' } });
  });

  it('accepts a zero cost and rejects a negative one', () => {
    expect(fieldsOf({ cost_usd: 0 })).toEqual([]);
    expect(fieldsOf({ cost_usd: -0.01 })).toEqual(['cost_usd']);
  });

  it.each(['2026-13-01', '2026-02-29', '03/01/2026', '2026-01-03T00:00:00Z'])('rejects the entry_date %s', (date) => {
    expect(fieldsOf({ entry_date: date })).toEqual(['entry_date']);
  });

  it('accepts a leap day', () => {
    expect(fieldsOf({ entry_date: '2028-02-29' })).toEqual([]);
  });

  it('requires every field and rejects unknown ones', () => {
    expect(fieldsOf({ cost_usd: undefined, currency: 'EUR' })).toEqual(['currency', 'cost_usd']);
  });

  it('names the snapshot by its key when readable', () => {
    expect(normaliseCost({ ...valid, cost_usd: 'lots' })).toMatchObject({ ok: false, key: '2026-01-03/aws/h100' });
  });
});
