import 'reflect-metadata';
import 'dotenv/config';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env';
import { DatabaseServer } from '../database/database-server';
import { dataSourceOptions } from '../database/data-source-options';
import { AllocationService } from './allocation.service';

/**
 * `npm run allocation:rebuild`: recomputes every allocation table from `jobs` and
 * `cost_snapshots`, for repairs. Uses DATABASE_URL, or starts the embedded server on the
 * app's data directory like the app and the migration CLI do. Pending migrations run first.
 */
async function main(): Promise<void> {
  // The embedded server's own log is verbose; a CLI reports what it did and what went wrong.
  Logger.overrideLogger(['log', 'warn', 'error']);
  const env = validateEnv(process.env);
  const server = await DatabaseServer.resolve(env);
  const dataSource = new DataSource(dataSourceOptions(server.url, env));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const started = Date.now();
    const { cells } = await new AllocationService(dataSource).rebuild();
    console.log(`Allocation rebuilt: ${cells} (day, provider, gpu_type) cells in ${Date.now() - started} ms`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await server.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.message.startsWith('Invalid configuration') ? error.message : error);
  process.exit(1);
});
