import { Readable } from 'node:stream';
import { ndjsonRecords, readLines } from './ndjson';

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const streamOf = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('readLines', () => {
  it('joins lines split across chunks and numbers them', async () => {
    expect(await collect(readLines(streamOf('ab', 'c\nd', 'e\r\n', 'f')))).toEqual([
      { index: 0, text: 'abc', end: 4 },
      { index: 1, text: 'de', end: 8 },
      { index: 2, text: 'f', end: 9 },
    ]);
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const bytes = Buffer.from('é\n');
    const stream = Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]);
    expect(await collect(readLines(stream))).toEqual([{ index: 0, text: 'é', end: 3 }]);
  });

  it('reports an over-long line as null and carries on with the next', async () => {
    expect(await collect(readLines(streamOf('x'.repeat(20), 'x\nok\n'), 10))).toEqual([
      { index: 0, text: null, end: 22 },
      { index: 1, text: 'ok', end: 25 },
    ]);
  });
});

describe('ndjsonRecords', () => {
  it('parses one value a line and hands blank lines over as blank, to be counted', async () => {
    expect(await collect(ndjsonRecords(streamOf('{"a":1}\n\n  \n{"b":2}\n')))).toEqual([
      { index: 0, end: 8, value: { a: 1 } },
      { index: 1, end: 9, blank: true },
      { index: 2, end: 12, blank: true },
      { index: 3, end: 20, value: { b: 2 } },
    ]);
  });

  it('reads a first line that starts with a byte-order mark as the record after it', async () => {
    expect(await collect(ndjsonRecords(streamOf('\uFEFF{"a":1}\n{"b":2}\n')))).toEqual([
      { index: 0, end: 11, value: { a: 1 } },
      { index: 1, end: 19, value: { b: 2 } },
    ]);
  });

  it('reports a truncated line as that record error and keeps the others', async () => {
    const records = await collect(ndjsonRecords(streamOf('{"a":1}\n{"b":')));
    expect(records[0]).toEqual({ index: 0, end: 8, value: { a: 1 } });
    expect(records[1]).toEqual({
      index: 1,
      end: 13,
      issue: { field: null, message: expect.stringMatching(/^line 2 is not valid JSON/) },
    });
  });

  it('reports an over-long line by its number', async () => {
    const [record] = await collect(ndjsonRecords(streamOf(`{"a":"${'x'.repeat(50)}"}\n`), 16));
    expect(record).toEqual({ index: 0, end: 59, issue: { field: null, message: 'line 1 is longer than 16 bytes' } });
  });

  it('refuses a long line nested past the depth limit, or holding too many values, without parsing it', async () => {
    const nested = '['.repeat(50_000) + ']'.repeat(50_000);
    const zeros = `[${'0,'.repeat(600)}0]`;
    const labels = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`key-${i}`, 'v'.repeat(60)]));
    const record = JSON.stringify({ job_id: 'j', labels });
    const records = await collect(ndjsonRecords(streamOf(`${nested}\n${zeros}\n${record}\n`)));
    expect(records.map((r) => ('issue' in r ? r.issue.message : r))).toEqual([
      'line 1 is no record: it nests deeper than 16 levels',
      'line 2 is no record: it holds more than 200 JSON values',
      { index: 2, end: expect.any(Number), value: { job_id: 'j', labels } },
    ]);
  });
});
