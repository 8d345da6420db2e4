import { Options, stringify, Stringifier } from 'csv-stringify';
import { stringify as stringifyAll } from 'csv-stringify/sync';

/** What a spreadsheet reads as the start of a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number, such as a negative cost: a spreadsheet reads it as that number, never a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A text cell a spreadsheet would run as a formula gets a leading `'`, which makes it text
 * (OWASP's advice for CSV injection). Numbers, and text that is only a plain number, stay as
 * they are, so no figure of an export changes.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** The options every CSV writer uses: csv-stringify's own, with every text cell neutralised. */
function safe(options: Options): Options {
  return { ...options, cast: { ...options.cast, string: neutraliseFormula } };
}

/** A streaming CSV writer (rows in, CSV text out); every CSV answer is written by this or csvOf. */
export function csvWriter(options: Options): Stringifier {
  return stringify(safe(options));
}

/** Rows as one CSV text, for answers small enough to build in memory. */
export function csvOf(rows: object[], options: Options): string {
  return stringifyAll(rows, safe(options));
}
