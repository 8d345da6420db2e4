/**
 * Every way an API call can fail, in words a person can act on. The API's own message (which
 * names the field at fault) is kept where it helps; 5xx bodies say nothing internal, so the
 * request id is what to quote to an operator.
 */

export interface FailureDetail {
  status: number;
  message?: string;
  requestId?: string;
  retryAfterSeconds?: number;
}

export function describeFailure({ status, message, requestId, retryAfterSeconds }: FailureDetail): string {
  const detail = message ? `: ${message}` : '.';
  const reference = requestId ? ` (request id ${requestId})` : '';
  switch (status) {
    case 400:
      return `The request was not accepted${detail}`;
    case 401:
      return 'Your session has ended. Sign in again.';
    case 403:
      return `You do not have access to this${detail}`;
    case 404:
      return `Not found${detail}`;
    case 413:
      return `The request is too large for the server${detail}`;
    case 429:
      return retryAfterSeconds !== undefined
        ? `Too many requests. Try again in ${retryAfterSeconds} s.`
        : 'Too many requests. Try again in a minute.';
    case 503:
      return `The service is unavailable right now (its database may be down). Try again shortly${reference}.`;
    default:
      return status >= 500
        ? `The server failed to answer (error ${status})${reference}. Try again, or tell an operator.`
        : `Unexpected answer from the server (${status})${detail}`;
  }
}

export const NETWORK_FAILURE = 'Cannot reach the Heliox server. Check the connection and try again.';

/** A failed API call: `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
