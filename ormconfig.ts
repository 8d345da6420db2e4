import 'dotenv/config';
import { DataSource } from 'typeorm';
import { validateEnv } from './src/config/env';
import { DatabaseServer } from './src/database/database-server';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * The data source of the TypeORM CLI (`npm run migration:*`): the same options as the app.
 * Without DATABASE_URL it starts the embedded server on the app's data directory, which is
 * stopped when the CLI exits.
 */
async function createDataSource(): Promise<DataSource> {
  const env = validateEnv(process.env);
  const server = await DatabaseServer.resolve(env);
  return new DataSource(dataSourceOptions(server.url, env));
}

export default createDataSource();
