/**
 * The client closed the connection before its request was read in full (an upload cut off).
 * Nothing is wrong with the service and no one is left to answer: it is logged as a warning,
 * counted in the metrics as 499 (nginx's "client closed request"), and is never a 5xx.
 */
export class ClientAbortedError extends Error {
  override readonly name = 'ClientAbortedError';
}

/** The status recorded for a request whose client went away; not sent to anyone. */
export const CLIENT_CLOSED_REQUEST = 499;
