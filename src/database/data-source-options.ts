import { Client, ClientConfig } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { DEFAULT_STATEMENT_TIMEOUT_SECONDS, Env } from '../config/env';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { QueryErrorLogger } from './query-error-logger';
import { DATABASE_SESSION_OPTIONS } from './session-options';

/**
 * pg's client, listening for its own 'error' event from the moment it exists. The pool listens
 * while a client is idle and TypeORM while a query runner holds it, but between the two (a client
 * just handed out) nobody does; a session the server ends then (57P01, a restart) would be an
 * 'error' without a listener, which ends the process. The error still fails the query that was
 * running, and the client, no longer queryable, leaves the pool when it is released.
 */
class ListenedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** The one description of Heliox's database, shared by the app, the CLIs and the tests. */
export function dataSourceOptions(
  url: string,
  env: Pick<Env, 'DB_POOL_SIZE'> & Partial<Pick<Env, 'DB_STATEMENT_TIMEOUT_SECONDS'>>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // Each migration commits on its own, so a failure leaves the schema at the last good step.
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Failed queries only, with their SQLSTATE and never their parameters.
    logger: new QueryErrorLogger(),
    extra: {
      Client: ListenedClient,
      max: env.DB_POOL_SIZE,
      connectionTimeoutMillis: 5_000,
      // A request never waits forever on a broken server or behind a long rebuild.
      statement_timeout: (env.DB_STATEMENT_TIMEOUT_SECONDS ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000,
      application_name: 'heliox',
      options: DATABASE_SESSION_OPTIONS,
    },
  };
}
