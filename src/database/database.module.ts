import { Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env } from '../config/env';
import { DatabaseServer } from './database-server';
import { dataSourceOptions } from './data-source-options';

/**
 * Owns the database server for the app's lifetime. On shutdown it closes the connection pool
 * itself before stopping an embedded server, so the order does not depend on which module's
 * hook Nest happens to call first.
 */
@Module({
  providers: [
    {
      provide: DatabaseServer,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        DatabaseServer.resolve({
          DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
          EMBEDDED_DB_DIR: config.get('EMBEDDED_DB_DIR', { infer: true }),
          EMBEDDED_DB_PORT: config.get('EMBEDDED_DB_PORT', { infer: true }),
        }),
    },
  ],
  exports: [DatabaseServer],
})
class DatabaseServerModule implements OnApplicationShutdown {
  constructor(
    private readonly server: DatabaseServer,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.server.stop();
  }
}

@Module({
  imports: [
    DatabaseServerModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [ConfigService, DatabaseServer],
      useFactory: (config: ConfigService<Env, true>, server: DatabaseServer) => ({
        ...dataSourceOptions(server.url, {
          DB_POOL_SIZE: config.get('DB_POOL_SIZE', { infer: true }),
          DB_STATEMENT_TIMEOUT_SECONDS: config.get('DB_STATEMENT_TIMEOUT_SECONDS', { infer: true }),
        }),
        migrationsRun: true,
      }),
    }),
  ],
})
export class DatabaseModule {}
