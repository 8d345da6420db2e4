import { Readable } from 'node:stream';
import { DomainError } from '../../common/errors/domain-error';
import { csvRecords } from './csv';

const columns = { allowed: ['a', 'b', 'c'], required: ['a', 'b'] };
const collect = async (text: string, maxBytes?: number) => {
  const out: unknown[] = [];
  for await (const r of csvRecords(Readable.from([Buffer.from(text)]), columns, maxBytes)) out.push(r);
  return out;
};

describe('csvRecords', () => {
  it('maps rows to the header, keeping values as strings', async () => {
    const [first, second] = (await collect('a,b,c\n1,"x, y",\n2,z,3\n')) as {
      index: number;
      value: Record<string, string>;
    }[];
    expect(first.index).toBe(0);
    expect({ ...first.value }).toEqual({ a: '1', b: 'x, y', c: '' });
    expect({ ...second.value }).toEqual({ a: '2', b: 'z', c: '3' });
  });

  it('accepts a header with a byte-order mark and spaces', async () => {
    const [record] = (await collect('\uFEFFa , b\n1,2\n')) as { value: Record<string, string> }[];
    expect({ ...record.value }).toEqual({ a: '1', b: '2' });
  });

  it('refuses a header missing a required column, naming it', async () => {
    await expect(collect('a,c\n1,2\n')).rejects.toMatchObject({
      response: { details: [{ field: 'b', message: 'column b is missing' }] },
    });
  });

  it('refuses an unknown column, naming it', async () => {
    await expect(collect('a,b,__proto__\n1,2,3\n')).rejects.toBeInstanceOf(DomainError);
  });

  it('refuses an empty file', async () => {
    await expect(collect('')).rejects.toMatchObject({ status: 400 });
  });

  it('reports a row with the wrong number of cells and keeps reading', async () => {
    const records = await collect('a,b\n1\n2,3\n');
    expect(records).toEqual([
      { index: 0, end: 6, issue: { field: null, message: 'row 1 has 1 cells; the header has 2' } },
      { index: 1, end: 10, value: expect.anything() },
    ]);
  });

  it('builds rows without a prototype, so no column name reaches Object.prototype', async () => {
    const [record] = (await collect('a,b\n1,2\n')) as { value: object }[];
    expect(Object.getPrototypeOf(record.value)).toBeNull();
  });

  it('keeps the rows before a row it cannot parse, and names that row', async () => {
    const records = await collect('a,b\n1,2\n"3,4\n', 64);
    expect(records).toEqual([
      { index: 0, end: 8, value: expect.anything() },
      { index: 1, issue: { field: null, message: expect.stringMatching(/^row 2 cannot be read as CSV/) } },
    ]);
  });

  it('stops at a row longer than the record limit, naming it, however the body is cut into chunks', async () => {
    const text = `a,b\n1,2\n3,${'x'.repeat(200)}\n${'5,6\n'.repeat(500)}`;
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 64) }, (_, i) => bytes.subarray(i * 64, i * 64 + 64));
    const records: unknown[] = [];
    for await (const r of csvRecords(Readable.from(chunks), columns, 100)) records.push(r);
    // The parser cannot find the row after an oversized one: it must not drop the rest unsaid.
    expect(records).toEqual([
      { index: 0, end: 8, value: expect.anything() },
      {
        index: 1,
        cut: { field: null, message: 'row 2 is longer than 100 bytes: the rows after it were not read' },
      },
    ]);
  });

  it("quotes a bounded part of the parser's complaint about a row", async () => {
    const cell = `x${'\u0001'.repeat(5_000)}"y`;
    const records = (await collect(`a,b\n${cell},2\n3,4\n`)) as { issue?: { message: string } }[];
    const [unreadable] = records.filter((r) => r.issue);
    expect(unreadable.issue!.message).toMatch(/^row 1 cannot be read as CSV: /);
    expect(unreadable.issue!.message.length).toBeLessThan(400);
    expect(records).toContainEqual({ index: 1, end: expect.any(Number), value: expect.anything() });
  });

  it('numbers the rows after unreadable ones by their place in the file', async () => {
    const records = (await collect('a,b\nx"1,2\ny"3,4\n5,6\n"7,8\n')) as { index: number }[];
    expect(records.map((r) => [r.index, Object.keys(r).filter((k) => k !== 'index' && k !== 'end')[0]])).toEqual([
      [0, 'issue'],
      [1, 'issue'],
      [2, 'value'],
      [3, 'issue'],
    ]);
    expect((records[1] as { issue?: { message: string } }).issue!.message).toMatch(/^row 2 cannot be read as CSV/);
  });

  it('hands empty lines over as blank, to be counted, without shifting the rows after them', async () => {
    const records = await collect('\na,b\n1,2\n\n\n3,4\n');
    expect(records).toEqual([
      { index: 0, end: 1, blank: true },
      { index: 0, end: 9, value: expect.anything() },
      { index: 1, end: 10, blank: true },
      { index: 1, end: 11, blank: true },
      { index: 1, end: 15, value: expect.anything() },
    ]);
    const crlf = await collect('a,b\r\n1,2\r\n\r\n3,4\r\n');
    expect(crlf.map((r) => ('blank' in (r as object) ? 'blank' : (r as { index: number }).index))).toEqual([
      0,
      'blank',
      1,
    ]);
  });

  it('names an unreadable row among blank lines by its data row', async () => {
    const records = await collect('a,b\n\n1,2\n"3,4\n', 64);
    expect(records).toContainEqual({
      index: 1,
      issue: { field: null, message: expect.stringMatching(/^row 2 cannot be read as CSV/) },
    });
  });

  it('shows an unknown column holding a NUL in a form that can be stored', async () => {
    await expect(collect('a,b,x\u0000y\n1,2,3\n')).rejects.toMatchObject({
      response: { details: [{ field: 'x\\u0000y', message: 'unknown column x\\u0000y' }] },
    });
  });
});
