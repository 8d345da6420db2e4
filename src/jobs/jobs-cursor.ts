import { badRequest } from '../common/errors/domain-error';

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

const UTC_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

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
    typeof payload.t !== 'string' ||
    !UTC_MICROS.test(payload.t) ||
    Number.isNaN(Date.parse(payload.t)) ||
    typeof payload.j !== 'string'
  ) {
    throw badRequest('cursor is not a cursor this API issued', 'cursor');
  }
  if (payload.o !== order)
    throw badRequest('cursor was issued for the other sort order; keep sort as it was', 'cursor');
  return { startTime: payload.t, jobId: payload.j };
}
