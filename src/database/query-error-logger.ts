import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';
import { databaseErrorFields } from '../common/errors/database-errors';

/** Longest part of a statement's text that goes into a log line: enough to tell which one failed. */
const QUERY_HEAD = 160;

/**
 * TypeORM's own loggers print a failed query with its parameters, which can be a whole ingestion
 * batch or a password hash. This one logs what identifies the failure (SQLSTATE, constraint,
 * table, the start of the statement) and never the parameters. The app keeps no per-request
 * context (see docs/decisions.md, "Request logging"), so this line has no request id: the error
 * filter's line of a failed request carries the id with the same fields.
 */
export class QueryErrorLogger implements Logger {
  private readonly logger = new NestLogger('Database');

  logQueryError(error: string | Error, query: string): void {
    const fields = databaseErrorFields(error) ?? { type: typeof error === 'string' ? 'Error' : error.name };
    this.logger.error(
      { db_error: fields, query: query.replace(/\s+/g, ' ').trim().slice(0, QUERY_HEAD) },
      `Query failed${fields.sqlstate ? ` with SQLSTATE ${fields.sqlstate}` : ''}`,
    );
  }

  // Successful, slow, schema and migration queries are not logged, as before; neither are
  // TypeORM's notices.
  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
