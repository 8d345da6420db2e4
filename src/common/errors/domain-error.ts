import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * An error a service raises on purpose: an HTTP status, a message a user can act on, and
 * optional details (`[{field, message}]` or record errors). The error filter renders it.
 */
export class DomainError extends HttpException {
  constructor(status: HttpStatus, message: string, details?: unknown) {
    super({ message, details }, status);
  }
}

export const badRequest = (message: string, field?: string) =>
  new DomainError(HttpStatus.BAD_REQUEST, message, field ? [{ field, message }] : undefined);
export const notFound = (message: string) => new DomainError(HttpStatus.NOT_FOUND, message);
export const conflict = (message: string, field?: string) =>
  new DomainError(HttpStatus.CONFLICT, message, field ? [{ field, message }] : undefined);
