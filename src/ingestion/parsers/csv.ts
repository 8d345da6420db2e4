import { Options, parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { DomainError } from '../../common/errors/domain-error';
import { HttpStatus } from '@nestjs/common';
import { storableText } from '../../common/storable-text';
import { MAX_RECORD_BYTES, RawRecord } from './raw-record';

/** Longest part of a parser's complaint quoted in a row's error. */
const MAX_PARSER_MESSAGE = 300;

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
    if (!columns.allowed.includes(name)) {
      // Quoted back to the client and into the run history: made storable first.
      const shown = storableText(name.slice(0, 200));
      problems.push({ field: shown, message: `unknown column ${shown}` });
    } else if (seen.has(name)) problems.push({ field: name, message: `column ${name} appears twice` });
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
 * broken quote), is that row's error; the rows before and after it are kept. A row longer than
 * `maxRecordBytes` ends the reading (`cut`): where such a row ends cannot be told without
 * holding it (it is mostly a quote left open, which makes the rest of the file one cell), and
 * the parser loses its place after one. `index` is the 0-based data row (the header excluded);
 * `end` the bytes read up to the row's end. Empty lines are no rows (their index is not used),
 * but are handed over as blank, to count.
 */
export async function* csvRecords(
  stream: Readable,
  columns: CsvColumns,
  maxRecordBytes = MAX_RECORD_BYTES,
): AsyncGenerator<RawRecord> {
  // Rows the parser gave up on, with the number of rows it had read before each: the parser runs
  // ahead of this loop, so they are handed over in their place, before the row that followed them.
  const unreadable: { after: number; record: RawRecord }[] = [];
  // Empty lines so far, counted as the parser meets them: a row's index leaves them out.
  let blanks = 0;
  // Rows the parser gave up on so far: its own count of rows leaves them out.
  let skipped = 0;
  let cut = false;
  const options: Options<CountedRow, ParsedRow> = {
    bom: true,
    relax_column_count: true,
    // Handed over as blank rather than skipped inside the parser, so that they count.
    skip_empty_lines: false,
    max_record_size: maxRecordBytes,
    info: true,
    skip_records_with_error: true,
    // With `info`, each record reaches this hook as `{record, info}`.
    on_record: (row) => {
      if (row.record.length === 1 && row.record[0] === '') blanks++;
      const counted = row as CountedRow;
      counted.blanks = blanks;
      counted.skipped = skipped;
      return counted;
    },
    on_skip: (error: (Error & { records?: number; code?: string }) | undefined) => {
      // Past an oversized row every chunk fails again at its first byte: nothing more is read.
      if (cut) return;
      // `records` counts the rows read before this one, the header included, the skipped ones not.
      const after = error?.records ?? 0;
      const index = Math.max(after - 1 - blanks + skipped, 0);
      skipped++;
      if (error?.code === 'CSV_MAX_RECORD_SIZE') {
        cut = true;
        const message = `row ${index + 1} is longer than ${maxRecordBytes} bytes: the rows after it were not read`;
        unreadable.push({ after, record: { index, cut: { field: null, message } } });
        // Ends the rows: the loop below hands this one over, then stops.
        stream.unpipe(parser);
        setImmediate(() => parser.writableEnded || parser.end());
        return;
      }
      // The parser's message quotes the whole cell it choked on (up to a megabyte).
      const reason = storableText(error?.message ?? 'malformed row', MAX_PARSER_MESSAGE);
      unreadable.push({
        after,
        record: { index, issue: { field: null, message: `row ${index + 1} cannot be read as CSV: ${reason}` } },
      });
    },
  };
  // The typings tie on_record's types to `columns`, which is not used here (the header is checked by hand).
  const parser = parse(options as unknown as Options);
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);

  let header: string[] | null = null;
  try {
    for await (const {
      record: row,
      info,
      blanks: blanksBefore,
      skipped: skippedBefore,
    } of parser as AsyncIterable<CountedRow>) {
      // A row skipped before this one ended before this one did (so within any byte limit it is in).
      while (unreadable.length > 0 && unreadable[0].after < info.records) {
        yield { ...unreadable.shift()!.record, end: info.bytes };
      }
      const index = info.records - 2 - blanksBefore + skippedBefore;
      if (row.length === 1 && row[0] === '') {
        // Its index is the next data row's; it names nothing (a blank line is never reported).
        yield { index: Math.max(index + 1, 0), end: info.bytes, blank: true };
        continue;
      }
      if (!header) {
        header = checkHeader(
          row.map((name) => name.trim()),
          columns,
        );
        continue;
      }
      if (row.length !== header.length) {
        const message = `row ${index + 1} has ${row.length} cells; the header has ${header.length}`;
        yield { index, end: info.bytes, issue: { field: null, message } };
        continue;
      }
      const record = Object.create(null) as Record<string, string>;
      header.forEach((name, i) => (record[name] = row[i]));
      yield { index, end: info.bytes, value: record };
    }
    // Left without `end`: a row the parser gave up on at the end of the payload ends with it.
    for (const { record } of unreadable.splice(0)) yield record;
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

interface ParsedRow {
  record: string[];
  /** `records`: rows read so far, this one included; `bytes`: bytes read up to its end. */
  info: { records: number; bytes: number };
}

/** A row, and the empty lines and the rows the parser gave up on met up to it. */
type CountedRow = ParsedRow & { blanks: number; skipped: number };
