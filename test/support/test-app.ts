import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createSuiteDatabase, dropSuiteDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  db: DataSource;
  databaseUrl: string;
  close(): Promise<void>;
}

/** Settings every e2e app gets; a suite may override any (or point DATABASE_URL elsewhere). */
const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SEED_DEMO_DATA: 'false',
  // Rate-limit counters stay in the suite's process unless a suite asks for Redis (with a key prefix of its own).
  REDIS_URL: '',
};

let booted = false;

/**
 * Boots the real AppModule (real pipes, guards, filters, configureApp) on a fresh copy of the
 * migrated template database. One app per test file: configuration is read once, when the
 * app module is first imported in the file.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { routeDatabase?: (url: string) => string } = {},
): Promise<TestApp> {
  if (booted) throw new Error('createTestApp() runs once per test file; split the suite into another file');
  booted = true;
  const database = await createSuiteDatabase();
  Object.assign(
    process.env,
    TEST_ENV,
    { DATABASE_URL: options.routeDatabase ? options.routeDatabase(database.url) : database.url },
    env,
  );
  // Imported after the environment is set: configuration is read when the module loads.
  const { AppModule } = await import('../../src/app.module');
  const { configureApp } = await import('../../src/app.setup');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureApp(app);
  await app.init();
  return {
    app,
    http: request(app.getHttpServer()),
    db: app.get(DataSource),
    databaseUrl: database.url,
    async close() {
      await app.close();
      await dropSuiteDatabase(database.name);
    },
  };
}
