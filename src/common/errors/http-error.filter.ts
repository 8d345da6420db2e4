import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CLIENT_CLOSED_REQUEST, ClientAbortedError } from './client-aborted';
import { isDatabaseUnavailable, isStatementTimeout, loggableError } from './database-errors';
import { ErrorResponse } from './error-response';
import { RETRY_AFTER_SECONDS } from './retry-later.error';

/** Errors raised by Express' body parsers before Nest sees the request. */
interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
  /** entity.too.large: the cap, in bytes. */
  limit?: number;
}

/**
 * The router's message for a path parameter it cannot percent-decode (`/jobs/%E0%A4%A`), which
 * the platform turns into a bare 400: no route is matched yet, so the field named is the path.
 */
const UNDECODABLE_PARAM = /^Failed to decode param '/;

/**
 * Renders every error as `{statusCode, error, message, details?, request_id}`. A 5xx says
 * nothing internal: the cause goes to the log, tied to the response by its request id.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    if (exception instanceof ClientAbortedError) {
      // Nobody is left to answer: say what happened, at warn, and close what remains.
      this.logger.warn(
        { request_id: String(req.id ?? ''), path: req.originalUrl },
        `${req.method} ${req.originalUrl}: ${exception.message}`,
      );
      res.statusCode = CLIENT_CLOSED_REQUEST;
      res.destroy();
      return;
    }
    const body = this.toBody(exception);
    body.request_id = String(req.id ?? res.getHeader('x-request-id') ?? '');

    if (body.statusCode >= 500) {
      // Never the error as it is: a failed query carries its parameters (see loggableError).
      this.logger.error(
        { err: loggableError(exception), request_id: body.request_id, path: req.originalUrl },
        `${req.method} ${req.originalUrl} failed with ${body.statusCode}`,
      );
    }
    if (res.headersSent) {
      // A streamed response already started: all that can be done is to cut it off.
      res.destroy();
      return;
    }
    // A 413 leaves the rest of the body unread: closing the connection after the answer stops a
    // client that would go on sending (RFC 9110 §15.5.14), instead of reading it all to discard it.
    if (body.statusCode === 413) res.setHeader('Connection', 'close');
    if (body.statusCode === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    // A download may have set its file's headers before it failed (an export refused before its
    // first row): the error is JSON, not an attachment.
    res.removeHeader('Content-Disposition');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorResponse {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const { message, details } = normalise(response, exception.message);
      return {
        statusCode: status,
        error: reasonOf(status),
        message,
        details:
          details ?? (status === 400 && UNDECODABLE_PARAM.test(message) ? [{ field: 'path', message }] : undefined),
        request_id: '',
      };
    }
    const parserError = exception as BodyParserError;
    // Express and its body parsers mark client errors `expose` with a 4xx status; some (a body that
    // is not the gzip it claims to be) carry no `type`.
    if (
      parserError &&
      parserError.expose &&
      parserError.status &&
      parserError.status >= 400 &&
      parserError.status < 500
    ) {
      const status = parserError.status;
      const message =
        parserError.type === 'entity.too.large'
          ? `Request body is larger than the ${parserError.limit ?? ''} bytes this route accepts (API_BODY_LIMIT; BODY_LIMIT for JSON ingestion)`
          : parserError.type === 'entity.parse.failed'
            ? `Malformed request body: ${parserError.message}`
            : (parserError.message ?? reasonOf(status));
      return {
        statusCode: status,
        error: reasonOf(status),
        message,
        details: [{ field: 'body', message }],
        request_id: '',
      };
    }
    const unavailable = isDatabaseUnavailable(exception)
      ? 'The database is unavailable; try again shortly'
      : isStatementTimeout(exception)
        ? 'The database stopped this request at its statement timeout (DB_STATEMENT_TIMEOUT_SECONDS): it waited behind a long rebuild or refresh, or asked for more than can be answered in that time; try again shortly'
        : undefined;
    if (unavailable) {
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      return { statusCode: status, error: reasonOf(status), message: unavailable, request_id: '' };
    }
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return { statusCode: status, error: reasonOf(status), message: 'An unexpected error occurred', request_id: '' };
  }
}

function normalise(response: string | object, fallback: string): { message: string; details?: unknown } {
  if (typeof response === 'string') return { message: response };
  const r = response as { message?: unknown; details?: unknown };
  const details = r.details ?? undefined;
  if (Array.isArray(r.message)) return { message: r.message.join('; '), details };
  if (typeof r.message === 'string') return { message: r.message, details };
  return { message: fallback, details };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function reasonOf(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}
