import { isCalendarDay } from '../common/calendar';
import { badRequest } from '../common/errors/domain-error';
import { unstorableText } from '../common/storable-text';
import { longerThan, MAX_NAME_LENGTH } from '../common/text-limits';

export type SortOrder = 'asc' | 'desc';

/** A position in the (start_time, job_id) order: the last row of the previous page. */
export interface JobsKey {
  /** ISO-8601 UTC with microseconds, as PostgreSQL stores it. */
  startTime: string;
  jobId: string;
}

/**
 * The keyset cursor: the (start_time, job_id) of the last row served and the order it was
 * served in, as base64url JSON. Opaque to clients; validated on the way back in.
 */
interface CursorPayload {
  o: SortOrder;
  t: string;
  j: string;
}

const UTC_MICROS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;

/**
 * A real instant written as PostgreSQL writes a start_time: a calendar day that exists, a time
 * of day that exists, a year PostgreSQL has (there is no year 0). The day is not held to the
 * API's date range: a job stored under an older floor must still be a place to page on from.
 */
function isUtcMicros(value: unknown): value is string {
  const m = typeof value === 'string' ? UTC_MICROS.exec(value) : null;
  return m !== null && +m[1] >= 1 && isCalendarDay(+m[1], +m[2], +m[3]) && +m[4] < 24 && +m[5] < 60 && +m[6] < 60;
}

export function encodeCursor(order: SortOrder, key: JobsKey): string {
  const payload: CursorPayload = { o: order, t: key.startTime, j: key.jobId };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The key in the cursor, or a 400 naming `cursor` when it is not one of ours or was made for the other order. */
export function decodeCursor(cursor: string, order: SortOrder): JobsKey {
  let payload: Partial<CursorPayload>;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPayload>;
  } catch {
    throw badRequest('cursor is not a cursor this API issued', 'cursor');
  }
  if (
    !payload ||
    typeof payload !== 'object' ||
    (payload.o !== 'asc' && payload.o !== 'desc') ||
    !isUtcMicros(payload.t) ||
    typeof payload.j !== 'string' ||
    payload.j.length === 0 ||
    longerThan(payload.j, MAX_NAME_LENGTH) ||
    unstorableText(payload.j) !== null
  ) {
    throw badRequest('cursor is not a cursor this API issued', 'cursor');
  }
  if (payload.o !== order)
    throw badRequest('cursor was issued for the other sort order; keep sort as it was', 'cursor');
  return { startTime: payload.t, jobId: payload.j };
}
