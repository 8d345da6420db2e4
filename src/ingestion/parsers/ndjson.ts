import type { Readable } from 'node:stream';
import { MAX_RECORD_BYTES, RawRecord } from './raw-record';

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without ever holding more than one line (capped at
 * `maxLineBytes`) in memory. A longer line is reported as `text: null` and skipped to its end.
 * `index` is the 0-based line number, so line N of the file is index N-1.
 */
export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes = MAX_RECORD_BYTES,
): AsyncGenerator<{ index: number; text: string | null }> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let index = 0;

  const takeLine = () => {
    const text = overflow ? null : Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '');
    parts = [];
    size = 0;
    overflow = false;
    return { index: index++, text };
  };

  for await (const piece of withoutDestroy(stream)) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!overflow) {
        if (size + (end - start) > maxLineBytes) {
          overflow = true;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          size += end - start;
        }
      }
      if (newline === -1) break;
      yield takeLine();
      start = newline + 1;
    }
  }
  if (size > 0 || overflow) yield takeLine();
}

/** NDJSON: one JSON value a line; blank lines are skipped, a broken line is that record's error. */
export async function* ndjsonRecords(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes = MAX_RECORD_BYTES,
): AsyncGenerator<RawRecord> {
  for await (const { index, text } of readLines(stream, maxLineBytes)) {
    if (text === null) {
      yield { index, issue: { field: null, message: `line ${index + 1} is longer than ${maxLineBytes} bytes` } };
      continue;
    }
    if (text.trim() === '') continue;
    try {
      yield { index, value: JSON.parse(text) };
    } catch (error) {
      yield {
        index,
        issue: { field: null, message: `line ${index + 1} is not valid JSON: ${(error as Error).message}` },
      };
    }
  }
}

/**
 * Leaving a `for await` over a Readable early destroys it; for an HTTP request that would cut
 * the connection before the answer is sent. The caller drains the rest instead.
 */
function withoutDestroy(stream: AsyncIterable<Buffer | string>): AsyncIterable<Buffer | string> {
  const readable = stream as Readable;
  return typeof readable.iterator === 'function' ? readable.iterator({ destroyOnReturn: false }) : stream;
}
