import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { databaseErrorFields, isDatabaseUnavailable, isStatementTimeout, loggableError } from './database-errors';

/** A PostgreSQL error as pg builds it from the server's answer. */
function pgError(code: string, message: string, extra: Partial<DatabaseError> = {}): DatabaseError {
  return Object.assign(new DatabaseError(message, 0, 'error'), { severity: 'ERROR', code, ...extra });
}

describe('what a log line may say about a database error', () => {
  it('keeps SQLSTATE, constraint and table of a failed query, and drops its parameters and row detail', () => {
    const driver = pgError('23505', 'duplicate key value violates unique constraint "UQ_users_email"', {
      constraint: 'UQ_users_email',
      table: 'users',
      detail: 'Key (email)=(someone@example.com) already exists.',
    });
    const error = new QueryFailedError('INSERT INTO users ...', ['someone@example.com', '$argon2id$v=19$…'], driver);
    const logged = JSON.stringify(loggableError(error));
    expect(databaseErrorFields(error)).toEqual({
      type: 'QueryFailedError',
      sqlstate: '23505',
      message: 'duplicate key value violates unique constraint "UQ_users_email"',
      constraint: 'UQ_users_email',
      table: 'users',
    });
    expect(logged).not.toContain('someone@example.com');
    expect(logged).not.toContain('argon2id');
  });

  it('leaves out the message of a data exception (class 22), which quotes the value', () => {
    const error = pgError('22P02', 'invalid input syntax for type uuid: "secret-value"', {
      where: 'COPY jobs, line 3, column team_id: "secret-value"',
    });
    expect(databaseErrorFields(error)).toEqual({ type: 'error', sqlstate: '22P02' });
  });

  it('reduces a database error that is the cause of another error', () => {
    const cause = pgError('23514', 'new row violates check constraint', { detail: 'Failing row contains (x).' });
    const logged = loggableError(new Error('batch failed', { cause })) as { cause: unknown };
    expect(logged.cause).toEqual({ type: 'error', sqlstate: '23514', message: 'new row violates check constraint' });
  });

  it('leaves any other error as it is', () => {
    const error = new TypeError('not a database error');
    expect(databaseErrorFields(error)).toBeUndefined();
    expect(loggableError(error)).toBe(error);
  });
});

describe('which errors mean the database cannot be reached (503, not 500)', () => {
  it('a refused connection, a server shutting down, a session ended by the administrator', () => {
    expect(
      isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(isDatabaseUnavailable(pgError('57P03', 'the database system is shutting down'))).toBe(true);
    const ended = pgError('57P01', 'terminating connection due to administrator command');
    expect(isDatabaseUnavailable(new QueryFailedError('UPDATE …', [], ended))).toBe(true);
  });

  it('the next query of a transaction whose connection was lost: TypeORM has released its runner', () => {
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
  });

  it('not a failed statement or any other error', () => {
    expect(isDatabaseUnavailable(pgError('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});

describe('which errors mean a statement ran into the statement timeout (503, not 500)', () => {
  it('a statement PostgreSQL cancelled, as pg raises it and as TypeORM wraps it', () => {
    const cancelled = pgError('57014', 'canceling statement due to statement timeout');
    expect(isStatementTimeout(cancelled)).toBe(true);
    expect(isStatementTimeout(new QueryFailedError('SELECT pg_advisory_xact_lock($1)', [1], cancelled))).toBe(true);
  });

  it('not another failed statement, nor the database going away', () => {
    expect(isStatementTimeout(pgError('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isStatementTimeout(pgError('57P01', 'terminating connection due to administrator command'))).toBe(false);
    expect(isStatementTimeout(new TypeError('x is undefined'))).toBe(false);
  });
});
