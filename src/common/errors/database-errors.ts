import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/**
 * Whether the error, or the error it wraps (TypeORM's driverError, a cause), passes `test`:
 * pg's own error is usually one or two levels down.
 */
function inErrorChain(error: unknown, test: (e: ErrorLike) => boolean): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as ErrorLike;
  return test(e) || inErrorChain(e.driverError, test) || inErrorChain(e.cause, test);
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/**
 * True when an error means the database cannot be reached (down, restarting, connection lost),
 * which the API reports as 503 rather than 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return inErrorChain(error, (e) => {
    // TypeORM releases a query runner whose connection emitted an error (PostgresQueryRunner's
    // 'error' listener): the next query of that transaction fails with this, not with the loss.
    // PostgresQueryRunner throws the first; the second is the name TypeORM 0.3 threw it under.
    if (e instanceof QueryRunnerAlreadyReleasedError || e instanceof QueryRunnerProviderAlreadyReleasedError)
      return true;
    const code = typeof e.code === 'string' ? e.code : '';
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash, cannot connect now).
    if (/^08...$/.test(code) || /^57P0[1-3]$/.test(code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection is not established|the database system is (starting up|shutting down)/i.test(
      message,
    );
  });
}

/**
 * True when PostgreSQL stopped a statement at the pool's statement timeout (SQLSTATE 57014,
 * DB_STATEMENT_TIMEOUT_SECONDS): it waited on a lock a long transaction held (a rebuild, an
 * upload's refresh behind one) or ran longer than a request may. The API reports it as 503, not
 * 500: nothing broke.
 */
export function isStatementTimeout(error: unknown): boolean {
  return inErrorChain(error, (e) => e.code === '57014');
}

/** What a log line may say about a database error: never its parameters, row detail or data values. */
export interface DatabaseErrorFields {
  type: string;
  sqlstate?: string;
  message?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
}

interface DriverErrorLike {
  name?: unknown;
  code?: unknown;
  severity?: unknown;
  message?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  routine?: unknown;
  driverError?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * The safe fields of an error that came from PostgreSQL (TypeORM's QueryFailedError, or pg's
 * DatabaseError), or undefined for any other error. TypeORM's error carries the statement's
 * parameters; pg's carries `detail` ("Failing row contains (…)") and `where` (COPY line values).
 * Messages of class 22 (data exception) quote the offending value, so they are left out.
 */
export function databaseErrorFields(error: unknown): DatabaseErrorFields | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const outer = error as DriverErrorLike;
  const driver = (
    outer.driverError && typeof outer.driverError === 'object' ? outer.driverError : outer
  ) as DriverErrorLike;
  const sqlstate = typeof driver.code === 'string' && SQLSTATE.test(driver.code) ? driver.code : undefined;
  if (!sqlstate || typeof driver.severity !== 'string') return undefined;
  return {
    type: text(outer.name) ?? 'Error',
    sqlstate,
    message: sqlstate.startsWith('22') ? undefined : text(driver.message),
    constraint: text(driver.constraint),
    table: text(driver.table),
    column: text(driver.column),
    routine: text(driver.routine),
  };
}

/**
 * An error as it may be logged: a database error reduced to its safe fields (also when it is
 * the cause of another error); any other error as it is.
 */
export function loggableError(error: unknown): unknown {
  const fields = databaseErrorFields(error);
  if (fields) return fields;
  if (error instanceof Error && error.cause !== undefined) {
    return { type: error.name, message: error.message, stack: error.stack, cause: loggableError(error.cause) };
  }
  return error;
}
