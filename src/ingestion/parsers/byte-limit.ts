import type { Readable } from 'node:stream';

/**
 * Passes a byte stream through up to `maxBytes` + 1 bytes, then stops reading it. The one byte
 * past the limit is what tells a payload of exactly `maxBytes` from a longer one: the parsers
 * mark each record with the byte its end lies at (`RawRecord.end`), and the first record ending
 * past `maxBytes` is where the upload stops. `exceeded` says whether the limit was reached.
 */
export class ByteLimit {
  exceeded = false;

  constructor(readonly maxBytes: number) {}

  async *read(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
    let seen = 0;
    for await (const piece of withoutDestroy(stream)) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      if (seen + chunk.length > this.maxBytes) {
        this.exceeded = true;
        yield chunk.subarray(0, this.maxBytes + 1 - seen);
        return;
      }
      seen += chunk.length;
      yield chunk;
    }
  }
}

/**
 * Leaving a `for await` over a Readable early destroys it; for an HTTP request that would cut
 * the connection before the answer is sent. The caller drains the rest instead.
 */
export function withoutDestroy(stream: AsyncIterable<Buffer | string>): AsyncIterable<Buffer | string> {
  const readable = stream as Readable;
  return typeof readable.iterator === 'function' ? readable.iterator({ destroyOnReturn: false }) : stream;
}
