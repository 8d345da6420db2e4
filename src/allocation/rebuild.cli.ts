import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { AllocationService } from './allocation.service';
import { AllocationModule } from './allocation.module';
import { rebuildReport } from './rebuild-report';

/**
 * `npm run allocation:rebuild`: recomputes every allocation table from `jobs` and
 * `cost_snapshots`, for repairs. The same configuration, database and migrations as the API
 * (DATABASE_URL, or the embedded server on the app's data directory).
 */
@Module({ imports: [AppConfigModule, DatabaseModule, AllocationModule] })
class RebuildCliModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(RebuildCliModule, { logger: ['error', 'warn'] });
  try {
    const started = Date.now();
    const { cells } = await app.get(AllocationService).rebuild();
    console.log(rebuildReport(cells, Date.now() - started));
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  const known = error instanceof DomainError || error.message.startsWith('Invalid configuration');
  console.error(known ? error.message : error);
  process.exit(1);
});
