import { ApiExtension, getSchemaPath, OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorResponse } from './errors/error-response';
import { RETRY_AFTER_SECONDS } from './errors/retry-later.error';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation of the document. */
export function operationsOf(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((path) =>
    METHODS.flatMap((method) => (path[method] ? [path[method]] : [])),
  );
}

const WITHOUT_DATABASE = 'x-without-database';

/**
 * Marks a route that never reaches the database (the metrics scrape): its operation documents
 * no 503. Every other route can meet an unavailable or busy database.
 */
export const WithoutDatabase = () => ApiExtension(WITHOUT_DATABASE, true);

const UNAVAILABLE: ResponseObject = {
  description:
    'The database is unavailable, stopped the request at its statement timeout (DB_STATEMENT_TIMEOUT_SECONDS), ' +
    'or a report waited READ_REFRESH_WAIT_SECONDS for the allocation behind a rebuild; try again after Retry-After',
  headers: {
    'Retry-After': {
      description: `Seconds to wait before trying again (${RETRY_AFTER_SECONDS})`,
      schema: { type: 'integer' },
    },
  },
  content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponse) } } },
};

/**
 * Documents the 503 every database-backed operation can answer (the error filter sends it with
 * Retry-After), keeping an operation's own description where it has one (the health check).
 */
export function documentUnavailable(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) {
    const extensions = operation as unknown as Record<string, unknown>;
    if (extensions[WITHOUT_DATABASE]) {
      delete extensions[WITHOUT_DATABASE];
      continue;
    }
    const own = operation.responses['503'] as ResponseObject | undefined;
    operation.responses['503'] = { ...UNAVAILABLE, ...(own ? { description: own.description } : {}) };
  }
}
