import { isCalendarDay } from '../../common/calendar';
import { decimalPlaces } from '../../common/decimal-number';
import { Labels, parseLabels } from '../../common/labels';
import { longerThan, MAX_NAME_LENGTH } from '../../common/text-limits';
import { storableText, unstorableText } from '../../common/storable-text';

/**
 * Reads one untrusted record (a parsed JSON object or a CSV row) field by field, collecting
 * every problem instead of stopping at the first, so a caller can fix a record in one go.
 * Values are read only from the record's own properties, and the record is never copied or
 * merged into another object, so keys such as `__proto__` or `constructor` are just unknown
 * fields.
 */
export interface RecordIssue {
  field: string | null;
  message: string;
}

export const MAX_DESCRIPTION_LENGTH = 2000;

// Timestamps must carry an offset: a time without one is ambiguous and is rejected, not guessed.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A decimal written out (no exponent): the only form a text field is read as. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * The sign of `text` − `limit`, exactly: `text` matches DECIMAL and `limit` is an integer.
 * Number(text) rounds, so "1.0000000000000001" would pass a bound of 1 that PostgreSQL,
 * reading the same text exactly, then refuses.
 */
function compareExactly(text: string, limit: number): number {
  const [, sign, whole, fraction = ''] = DECIMAL.exec(text)!;
  const units = BigInt(`${sign === '-' ? '-' : ''}${whole || '0'}${fraction}`);
  const limitUnits = BigInt(limit) * 10n ** BigInt(fraction.length);
  return units === limitUnits ? 0 : units > limitUnits ? 1 : -1;
}

/** Decimals of a value read as `text`: a JSON number's as JavaScript writes it, a text's without trailing zeros. */
function decimalsOf(value: unknown, text: string): number {
  if (typeof value === 'number') return decimalPlaces(value);
  return (DECIMAL.exec(text)![3] ?? '').replace(/0+$/, '').length;
}

export class RecordReader {
  readonly issues: RecordIssue[] = [];

  private constructor(private readonly raw: Record<string, unknown>) {}

  /** A reader over `raw`, or the issue that `raw` is not a record at all. */
  static open(raw: unknown, allowedFields: readonly string[]): RecordReader | RecordIssue {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { field: null, message: 'record must be a JSON object' };
    }
    const reader = new RecordReader(raw as Record<string, unknown>);
    for (const key of Object.keys(raw)) {
      if (!allowedFields.includes(key)) {
        // The name is the client's text: quoted in the answer and the run history, it must be storable.
        const name = storableText(key.slice(0, MAX_NAME_LENGTH));
        reader.issues.push({ field: name, message: `property ${name} is not allowed` });
      }
    }
    return reader;
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  /** The raw value of an allowed field; null, undefined and blank strings all mean "absent". */
  private value(field: string): unknown {
    const value = Object.prototype.hasOwnProperty.call(this.raw, field) ? this.raw[field] : undefined;
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'string' && value.trim() === '') return undefined;
    return value;
  }

  private fail(field: string, message: string): null {
    this.issues.push({ field, message });
    return null;
  }

  /** A trimmed string, lower-cased when asked; too long is an error, not a truncation. */
  text(field: string, opts: { required: boolean; maxLength: number; lowerCase?: boolean }): string | null {
    const value = this.value(field);
    if (value === undefined) return opts.required ? this.fail(field, `${field} is required`) : null;
    if (typeof value !== 'string') return this.fail(field, `${field} must be a string`);
    const trimmed = value.trim();
    if (longerThan(trimmed, opts.maxLength))
      return this.fail(field, `${field} must be at most ${opts.maxLength} characters`);
    const unstorable = unstorableText(trimmed);
    if (unstorable) return this.fail(field, `${field} ${unstorable}`);
    return opts.lowerCase ? trimmed.toLowerCase() : trimmed;
  }

  /** An ISO-8601 timestamp with an offset, returned as UTC ISO text. */
  timestamp(field: string, opts: { required: boolean }): string | null {
    const value = this.value(field);
    if (value === undefined) return opts.required ? this.fail(field, `${field} is required`) : null;
    const message = `${field} must be an ISO-8601 timestamp with an offset, such as 2026-01-03T09:30:00Z`;
    if (typeof value !== 'string' || value.length > 64) return this.fail(field, message);
    const m = TIMESTAMP.exec(value.trim());
    if (!m) return this.fail(field, message);
    const [, y, mo, d, h, mi, s = '00', frac = '', offset] = m;
    if (!isRecordDay(+y, +mo, +d) || +h > 23 || +mi > 59 || +s > 59) {
      return this.fail(field, `${field} is not a valid date and time`);
    }
    // Date keeps milliseconds; finer digits are dropped rather than rounded into the next second.
    const millis = (frac + '000').slice(0, 3);
    // Already UTC and checked above: this is exactly what toISOString would print, without the
    // parse and format round trip (the common case of a bulk upload, twice per job).
    if (offset === 'Z' || offset === 'z') return `${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}Z`;
    const normalisedOffset = normaliseOffset(offset);
    if (!normalisedOffset) return this.fail(field, message);
    const epoch = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${normalisedOffset}`);
    if (Number.isNaN(epoch)) return this.fail(field, message);
    return new Date(epoch).toISOString();
  }

  /** A calendar date `YYYY-MM-DD`. */
  date(field: string, opts: { required: boolean }): string | null {
    const value = this.value(field);
    if (value === undefined) return opts.required ? this.fail(field, `${field} is required`) : null;
    const m = typeof value === 'string' ? DATE.exec(value.trim()) : null;
    if (!m) return this.fail(field, `${field} must be a date in the form YYYY-MM-DD`);
    if (!isRecordDay(+m[1], +m[2], +m[3])) return this.fail(field, `${field} is not a valid date`);
    return m[0];
  }

  /**
   * A decimal number (a JSON number or a numeric string, as CSV gives), returned as text so
   * that money and fractions reach PostgreSQL's numeric without passing through a float.
   */
  decimal(
    field: string,
    opts: {
      required: boolean;
      min: number;
      minExclusive?: boolean;
      max: number;
      maxDecimals?: number;
      fallback?: string;
    },
  ): string | null {
    const value = this.value(field);
    if (value === undefined) {
      if (opts.fallback !== undefined) return opts.fallback;
      return opts.required ? this.fail(field, `${field} is required`) : null;
    }
    let text: string;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return this.fail(field, `${field} must be a finite number`);
      text = String(value);
    } else if (typeof value === 'string' && value.length <= 64 && /\d/.test(value) && DECIMAL.test(value.trim())) {
      text = value.trim().replace(/^\+/, '');
    } else {
      return this.fail(field, `${field} must be a number`);
    }
    // Where the value stands against a bound. A JSON number is the double it parsed to. A text is
    // stored digit for digit, and Number() rounds it: monotonically, and onto the (integer)
    // bounds exactly, so only a text that rounds onto a bound needs its digits compared.
    const n = Number(text);
    const against = (limit: number) =>
      n !== limit || typeof value === 'number' ? Math.sign(n - limit) : compareExactly(text, limit);
    const fromMin = against(opts.min);
    if (opts.minExclusive ? fromMin <= 0 : fromMin < 0) {
      return this.fail(field, `${field} must be ${opts.minExclusive ? 'greater than' : 'at least'} ${opts.min}`);
    }
    if (against(opts.max) > 0) return this.fail(field, `${field} must be at most ${opts.max}`);
    if (opts.maxDecimals !== undefined && decimalsOf(value, text) > opts.maxDecimals) {
      return this.fail(field, `${field} must have at most ${opts.maxDecimals} decimals`);
    }
    return text;
  }

  /** A job's labels (common/labels.ts); absent is none. Each problem names its key. */
  labels(field: string): Labels {
    const value = this.value(field);
    if (value === undefined) return {};
    const parsed = parseLabels(value, field);
    if ('labels' in parsed) return parsed.labels;
    this.issues.push(...parsed.issues);
    return {};
  }

  /** Reports a rule that involves more than one field. */
  reject(field: string, message: string): void {
    this.issues.push({ field, message });
  }
}

/** GPU jobs and cost snapshots before the Unix epoch are typing mistakes, not history. */
const isRecordDay = (year: number, month: number, day: number) => year >= 1970 && isCalendarDay(year, month, day);

/** `+02`, `+0200` and `+02:00` all become `+02:00`; impossible offsets become null. */
function normaliseOffset(offset: string): string | null {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  if (!m) return null;
  const hours = +m[2];
  const minutes = +(m[3] ?? '0');
  if (hours > 18 || minutes > 59) return null;
  return `${m[1]}${m[2]}:${m[3] ?? '00'}`;
}
