import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { DomainError } from '../../common/errors/domain-error';
import { HttpStatus } from '@nestjs/common';
import { MAX_RECORD_BYTES, RawRecord } from './raw-record';

export interface CsvColumns {
  allowed: readonly string[];
  required: readonly string[];
}

/**
 * Problems with the header row stop the whole file before anything is written: every row
 * would fail the same way, so the caller gets one clear answer naming the columns.
 */
function checkHeader(header: string[], columns: CsvColumns): string[] {
  const problems: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!columns.allowed.includes(name))
      problems.push({ field: name.slice(0, 200), message: `unknown column ${name.slice(0, 200)}` });
    else if (seen.has(name)) problems.push({ field: name, message: `column ${name} appears twice` });
    seen.add(name);
  }
  for (const name of columns.required) {
    if (!seen.has(name)) problems.push({ field: name, message: `column ${name} is missing` });
  }
  if (problems.length) {
    throw new DomainError(
      HttpStatus.BAD_REQUEST,
      `The CSV header is not usable: ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  }
  return header;
}

/**
 * CSV with a header row, parsed as a stream (csv-parse) so the file is never held in memory.
 * Rows become null-prototype objects keyed by the header; values stay strings, and an empty
 * cell means "absent". A row with the wrong number of cells, or one the parser cannot read (a
 * broken quote, an oversized row), is that row's error; the rows before it are kept. `index`
 * is the 0-based data row (the header excluded).
 */
export async function* csvRecords(
  stream: Readable,
  columns: CsvColumns,
  maxRecordBytes = MAX_RECORD_BYTES,
): AsyncGenerator<RawRecord> {
  const unreadable: RawRecord[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: maxRecordBytes,
    info: true,
    skip_records_with_error: true,
    on_skip: (error: (Error & { records?: number }) | undefined) => {
      // `records` counts the rows read before this one, the header included.
      const index = Math.max((error?.records ?? 1) - 1, 0);
      unreadable.push({
        index,
        issue: { field: null, message: `row ${index + 1} cannot be read as CSV: ${error?.message ?? 'malformed row'}` },
      });
    },
  });
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);

  let header: string[] | null = null;
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{
      record: string[];
      info: { records: number };
    }>) {
      yield* unreadable.splice(0);
      if (!header) {
        header = checkHeader(
          row.map((name) => name.trim()),
          columns,
        );
        continue;
      }
      const index = info.records - 2;
      if (row.length !== header.length) {
        const message = `row ${index + 1} has ${row.length} cells; the header has ${header.length}`;
        yield { index, issue: { field: null, message } };
        continue;
      }
      const record = Object.create(null) as Record<string, string>;
      header.forEach((name, i) => (record[name] = row[i]));
      yield { index, value: record };
    }
    yield* unreadable.splice(0);
  } finally {
    // Stopping early (a bad header, a failed write): drain the rest of the body.
    stream.unpipe(parser);
    stream.resume();
  }
  if (!header) {
    throw new DomainError(HttpStatus.BAD_REQUEST, 'The CSV is empty: a header row is required', [
      { field: 'body', message: 'a header row is required' },
    ]);
  }
}
