import { jsonShapeProblem } from '../../common/input-checks';
import { withoutDestroy } from './byte-limit';
import { MAX_RECORD_BYTES, RawRecord } from './raw-record';

const NEWLINE = 0x0a;

/**
 * A record is an object of a dozen fields and at most 32 labels, about 50 JSON values: a line
 * holding more is no record, and is refused before it is parsed.
 */
const MAX_LINE_VALUES = 200;

/**
 * Lines up to this length parse in a fraction of a millisecond whatever they hold; a longer one
 * has its shape checked first, since a megabyte line of nested arrays takes JSON.parse a third of
 * a second of the event loop (and a record line is a few hundred bytes).
 */
const SHAPE_CHECKED_FROM = 1024;

/**
 * Splits a byte stream into lines without ever holding more than one line (capped at
 * `maxLineBytes`) in memory. A longer line is reported as `text: null` and skipped to its end.
 * `index` is the 0-based line number, so line N of the file is index N-1; `end` is the byte
 * offset just past the line (its newline included).
 */
export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes = MAX_RECORD_BYTES,
): AsyncGenerator<{ index: number; text: string | null; end: number }> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let index = 0;
  let offset = 0;

  const takeLine = (end: number) => {
    const text = overflow ? null : Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '');
    parts = [];
    size = 0;
    overflow = false;
    return { index: index++, text, end };
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
      yield takeLine(offset + newline + 1);
      start = newline + 1;
    }
    offset += chunk.length;
  }
  if (size > 0 || overflow) yield takeLine(offset);
}

/**
 * NDJSON: one JSON value a line; a broken line is that record's error. Blank (or all-blank)
 * lines are no records: they are handed over as such, to be counted but never reported.
 */
export async function* ndjsonRecords(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes = MAX_RECORD_BYTES,
): AsyncGenerator<RawRecord> {
  for await (const { index, text: read, end } of readLines(stream, maxLineBytes)) {
    // A byte-order mark (some Windows tools write one) is no part of the first record.
    const text = index === 0 && read?.startsWith('\uFEFF') ? read.slice(1) : read;
    if (text === null) {
      yield {
        index,
        end,
        issue: { field: null, message: `line ${index + 1} is longer than ${maxLineBytes} bytes` },
      };
      continue;
    }
    if (text.trim() === '') {
      yield { index, end, blank: true };
      continue;
    }
    const shape = text.length > SHAPE_CHECKED_FROM ? jsonShapeProblem(Buffer.from(text), MAX_LINE_VALUES, 'it') : null;
    if (shape) {
      yield { index, end, issue: { field: null, message: `line ${index + 1} is no record: ${shape.message}` } };
      continue;
    }
    try {
      yield { index, end, value: JSON.parse(text) };
    } catch (error) {
      yield {
        index,
        end,
        issue: { field: null, message: `line ${index + 1} is not valid JSON: ${(error as Error).message}` },
      };
    }
  }
}
