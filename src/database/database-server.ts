import { Logger } from '@nestjs/common';
import { Env } from '../config/env';
import { EmbeddedPostgres } from './embedded-postgres';

type ServerSettings = Pick<Env, 'DATABASE_URL' | 'EMBEDDED_DB_DIR' | 'EMBEDDED_DB_PORT'>;

/**
 * Where the database lives: the server at DATABASE_URL, or an embedded PostgreSQL that this
 * process starts (and later stops) when DATABASE_URL is unset.
 */
export class DatabaseServer {
  private constructor(
    readonly url: string,
    readonly embedded?: EmbeddedPostgres,
  ) {}

  static async resolve(settings: ServerSettings, logger = new Logger('Database')): Promise<DatabaseServer> {
    if (settings.DATABASE_URL) return new DatabaseServer(settings.DATABASE_URL);
    const embedded = await EmbeddedPostgres.start({
      dataDir: settings.EMBEDDED_DB_DIR,
      port: settings.EMBEDDED_DB_PORT,
      persistent: true,
      log: (message) => logger.verbose(message),
    });
    logger.log(`Embedded PostgreSQL 17 on 127.0.0.1:${embedded.port}, data in ${embedded.dataDir}`);
    return new DatabaseServer(embedded.url, embedded);
  }

  async stop(): Promise<void> {
    await this.embedded?.stop();
  }
}
