import { HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error';

/**
 * What every 503 tells its client to wait before trying again (`Retry-After`, seconds) unless it
 * knows better: the database unavailable or a statement stopped at its timeout are over in
 * seconds or keep failing, and a client that retries at once only adds to the load.
 */
export const RETRY_AFTER_SECONDS = 5;

/**
 * A 503 the client should simply repeat: the API is busy with something that ends on its own.
 * The error filter sends `Retry-After` with it.
 */
export class RetryLaterError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(HttpStatus.SERVICE_UNAVAILABLE, message);
  }
}
