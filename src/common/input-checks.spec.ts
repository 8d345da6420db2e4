import { HttpException } from '@nestjs/common';
import { assertStorableInput, checkJsonShape, isStorableText } from './input-checks';
import { MAX_JSON_DEPTH } from './input-limits';

/** The status and details of what `run` throws. */
function refusal(run: () => void): { status: number; details: unknown } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpException);
    const e = error as HttpException;
    return { status: e.getStatus(), details: (e.getResponse() as { details?: unknown }).details };
  }
  throw new Error('expected a refusal');
}

const shape = (text: string, maxValues = 100) => checkJsonShape(Buffer.from(text), maxValues);

describe('checkJsonShape', () => {
  it.each([
    ['{"username":"a","password":"b"}', 3],
    ['[1,2,3]', 4],
    ['[]', 1],
    ['{}', 1],
    ['[[],{}]', 3],
    ['{"a":[1,{"b":null}],"c":"x"}', 6],
    ['  [ 1 , "two" , true ]  ', 4],
  ])('accepts %s, which holds %i values, with exactly that many allowed', (text, values) => {
    expect(() => shape(text, values)).not.toThrow();
    expect(refusal(() => shape(text, values - 1)).status).toBe(413);
  });

  it('counts brackets, commas and colons inside strings as text, escaped quotes included', () => {
    expect(() => shape('{"a":"[[[,:{{{\\"]]]"}', 2)).not.toThrow();
    expect(() => shape('["\\\\",1]', 3)).not.toThrow();
    expect(refusal(() => shape('["\\\\",1]', 2)).status).toBe(413);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more with a 400 naming the body`, () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(() => shape(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(refusal(() => shape(nested(MAX_JSON_DEPTH + 1)))).toEqual({
      status: 400,
      details: [{ field: 'body', message: `the body nests deeper than ${MAX_JSON_DEPTH} levels` }],
    });
  });

  it('stops at the limit, without reading the rest', () => {
    const millions = Buffer.concat([Buffer.from('['), Buffer.alloc(20_000_000, '0,'), Buffer.from('0]')]);
    expect(refusal(() => checkJsonShape(millions, 1000)).details).toEqual([
      { field: 'body', message: 'the body holds more than 1000 JSON values' },
    ]);
  });

  it('leaves malformed text to the parser', () => {
    expect(() => shape('{"a":')).not.toThrow();
    expect(() => shape('"unterminated')).not.toThrow();
    expect(() => shape(']]]]')).not.toThrow();
  });
});

describe('isStorableText', () => {
  it.each([['plain'], ['ünïcode ✓'], ['emoji 😀 (a surrogate pair)'], ['\u202eright-to-left'], ['']])(
    'accepts %j',
    (text) => expect(isStorableText(text)).toBe(true),
  );

  it.each([['a\u0000b'], ['\ud800'], ['x\udc00'], ['\ud83d x'], ['😀'.slice(1)]])('refuses %j', (text) =>
    expect(isStorableText(text)).toBe(false),
  );
});

describe('assertStorableInput', () => {
  it('passes plain input through', () => {
    expect(() => assertStorableInput({ a: 'x', b: [1, 'y', { c: null }], d: true })).not.toThrow();
    expect(() => assertStorableInput('job-1', 'job_id')).not.toThrow();
    expect(() => assertStorableInput(undefined)).not.toThrow();
  });

  it.each([
    ['a path parameter', 'job\u0000', 'job_id', 'job_id'],
    ['a top-level field', { username: 'a\u0000' }, '', 'username'],
    ['a nested field', { teams: [{ name: 'ok' }, { name: 'x\u0000' }] }, '', 'teams[1].name'],
    ['a repeated query parameter', { status: ['running', 'x\u0000'] }, '', 'status[1]'],
  ])('refuses NUL in %s, naming it', (_what, value, field, named) => {
    expect(refusal(() => assertStorableInput(value, field))).toEqual({
      status: 400,
      details: [{ field: named, message: `${named} must not contain a NUL character (\\u0000)` }],
    });
  });

  it('refuses a lone surrogate, naming the field', () => {
    expect(refusal(() => assertStorableInput({ name: 'team\udc00' })).details).toEqual([
      { field: 'name', message: 'name must be well-formed Unicode (it holds an unpaired surrogate)' },
    ]);
  });

  it.each([['__proto__'], ['constructor'], ['prototype']])('refuses the key %s', (key) => {
    const value = JSON.parse(`{"a":{"${key}":{"polluted":true}}}`) as unknown;
    expect(refusal(() => assertStorableInput(value)).details).toEqual([
      { field: `a.${key}`, message: `property a.${key} is not allowed` },
    ]);
  });

  it('refuses NUL in a key', () => {
    expect(refusal(() => assertStorableInput({ 'a\u0000b': 1 })).status).toBe(400);
  });
});
