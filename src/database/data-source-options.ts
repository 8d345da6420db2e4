import { DataSourceOptions } from 'typeorm';
import { DEFAULT_STATEMENT_TIMEOUT_SECONDS, Env } from '../config/env';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { QueryErrorLogger } from './query-error-logger';

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
      max: env.DB_POOL_SIZE,
      connectionTimeoutMillis: 5_000,
      // A request never waits forever on a broken server or behind a long rebuild.
      statement_timeout: (env.DB_STATEMENT_TIMEOUT_SECONDS ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000,
      application_name: 'heliox',
    },
  };
}
