import { HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error';

/**
 * What every 503 tells its client to wait before trying again (`Retry-After`, seconds): the
 * database unavailable, a statement stopped at its timeout and a read that gave up waiting for a
 * rebuild are over in seconds or keep failing, and a client that retries at once only adds to the
 * load. The error filter sends it.
 */
export const RETRY_AFTER_SECONDS = 5;

/** A 503 the client should simply repeat: the API is busy with something that ends on its own. */
export class RetryLaterError extends DomainError {
  constructor(message: string) {
    super(HttpStatus.SERVICE_UNAVAILABLE, message);
  }
}
