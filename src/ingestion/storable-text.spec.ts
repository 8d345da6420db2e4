import { storableErrors, storableText } from './storable-text';

describe('storableText', () => {
  it('replaces NUL characters, which PostgreSQL text and jsonb refuse', () => {
    expect(storableText('job\u0000-1', 100)).toBe('job\uFFFD-1');
  });

  it('replaces a lone surrogate and keeps a whole pair', () => {
    expect(storableText('a\uD800b', 100)).toBe('a\uFFFDb');
    expect(storableText('b\uDC00', 100)).toBe('b\uFFFD');
    expect(storableText('gpu 🚀', 100)).toBe('gpu 🚀');
  });

  it('cuts long text to the limit with an ellipsis, never between the halves of a pair', () => {
    expect(storableText('x'.repeat(10), 5)).toBe('xxxx…');
    const cut = storableText('abc🚀🚀', 5);
    expect(cut).toBe('abc…');
    expect(cut.length).toBeLessThanOrEqual(5);
  });

  it('leaves ordinary text alone', () => {
    expect(storableText('start_time must be an ISO-8601 timestamp', 100)).toBe(
      'start_time must be an ISO-8601 timestamp',
    );
  });
});

describe('storableErrors', () => {
  it('cleans every text of a record error and keeps index and nulls', () => {
    expect(storableErrors([{ index: 3, job_id: 'a\u0000', field: null, message: 'm'.repeat(10_000) }])).toEqual([
      { index: 3, job_id: 'a\uFFFD', field: null, message: 'm'.repeat(499) + '…' },
    ]);
  });
});
