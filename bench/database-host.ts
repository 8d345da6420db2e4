import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * The one PostgreSQL server of a run, shared by the API and every reference: the server at
 * DATABASE_URL (scratch databases are created on it and dropped afterwards), or an embedded
 * server in a temp dir.
 */
export class DatabaseHost {
  private readonly created: string[] = [];

  private constructor(
    /** URL of a database to run CREATE/DROP DATABASE from. */
    private readonly adminUrl: string,
    readonly description: string,
    private readonly embedded?: EmbeddedPostgres,
  ) {}

  static async start(databaseUrl: string | undefined, workDir: string): Promise<DatabaseHost> {
    if (databaseUrl) {
      const url = new URL(databaseUrl);
      return new DatabaseHost(
        databaseUrl,
        `external server at ${url.hostname}:${url.port || 5432} (scratch databases)`,
      );
    }
    const dataDir = path.join(workDir, 'pg');
    // The server may run as the postgres OS user, which must reach its data directory.
    await fs.chmod(workDir, 0o755);
    // Durable settings (fast: false): the figures must not flatter ingestion with fsync off.
    const embedded = await EmbeddedPostgres.start({ dataDir, port: 0, persistent: false, fast: false });
    return new DatabaseHost(
      embedded.urlFor('postgres'),
      'embedded PostgreSQL in a temp dir, default settings',
      embedded,
    );
  }

  /** Creates an empty database for one part of the run and returns its URL. */
  async createDatabase(purpose: string): Promise<string> {
    const name = `heliox_bench_${purpose}_${randomBytes(4).toString('hex')}`;
    await this.admin((c) => c.query(`CREATE DATABASE "${name}"`));
    this.created.push(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async dropDatabase(databaseUrl: string): Promise<void> {
    const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
    await this.admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    this.created.splice(this.created.indexOf(name), 1);
  }

  async version(): Promise<string> {
    return this.admin(
      async (c) => (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v,
    );
  }

  /** Drops what this run created and stops an embedded server (its data directory goes with it). */
  async stop(): Promise<void> {
    if (this.embedded) {
      await this.embedded.stop();
      return;
    }
    for (const name of [...this.created]) {
      await this.admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch((error: Error) =>
        process.stderr.write(`Could not drop scratch database ${name}: ${error.message}\n`),
      );
    }
  }

  private async admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
