import { HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error';

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
