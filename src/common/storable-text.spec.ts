import { storableText, unstorableText } from './storable-text';

describe('storableText', () => {
  it('writes NUL characters, which PostgreSQL text and jsonb refuse, as \\u0000', () => {
    expect(storableText('job\u0000-1', 100)).toBe('job\\u0000-1');
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

describe('unstorableText', () => {
  it.each([['plain'], ['ünïcode ✓'], ['emoji 😀 (a surrogate pair)'], ['\u202eright-to-left'], ['']])(
    'accepts %j',
    (text) => expect(unstorableText(text)).toBeNull(),
  );

  it.each([['a\u0000b'], ['\ud800'], ['x\udc00'], ['\ud83d x'], ['😀'.slice(1)]])('refuses %j', (text) =>
    expect(unstorableText(text)).not.toBeNull(),
  );

  it('says which: a NUL or a lone surrogate', () => {
    expect(unstorableText('a\u0000')).toMatch(/NUL/);
    expect(unstorableText('a\uD800')).toMatch(/surrogate/);
  });
});
