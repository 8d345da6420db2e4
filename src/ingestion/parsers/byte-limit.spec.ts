import { Readable } from 'node:stream';
import { ByteLimit } from './byte-limit';

const collect = async (limit: ByteLimit, source: AsyncIterable<Buffer | string>) => {
  const out: Buffer[] = [];
  for await (const chunk of limit.read(source)) out.push(chunk);
  return Buffer.concat(out).toString();
};

const chunks = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)));

describe('ByteLimit', () => {
  it('passes a payload of exactly the limit through whole, and says it was not exceeded', async () => {
    const limit = new ByteLimit(6);
    expect(await collect(limit, chunks('abc', 'def'))).toBe('abcdef');
    expect(limit.exceeded).toBe(false);
  });

  it('passes one byte past the limit, then stops, and says it was exceeded', async () => {
    const limit = new ByteLimit(4);
    expect(await collect(limit, chunks('abc', 'def', 'ghi'))).toBe('abcde');
    expect(limit.exceeded).toBe(true);
  });

  it('stops reading an endless stream', async () => {
    let pulled = 0;
    function* endless() {
      for (;;) {
        pulled++;
        yield Buffer.from('\n'.repeat(1024));
      }
    }
    const limit = new ByteLimit(10_000);
    expect((await collect(limit, Readable.from(endless()))).length).toBe(10_001);
    // A stream may read a little ahead; what matters is that it stops.
    expect(pulled).toBeLessThan(50);
  });
});
