import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A private PostgreSQL (the embedded binaries) in a child process, for a suite that must really
 * stop and restart its database server. Jest's module sandbox cannot load the binaries' ES
 * module, so the server is driven from a plain Node process running this file.
 */
export class PostgresProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** Starts (or restarts: same data directory, same port) the server; resolves once it accepts connections. */
  static start(dataDir: string, port: number): Promise<PostgresProcess> {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', __filename, dataDir, String(port)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('url '));
        if (line) resolve(new PostgresProcess(child, line.slice(4).trim()));
      });
      child.once('exit', (code) => reject(new Error(`PostgreSQL process exited with ${code} before it was ready`)));
    });
  }

  /** Fast shutdown: PostgreSQL ends every session (57P01) and stops; the data stay. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

if (require.main === module) {
  const [dataDir, port] = process.argv.slice(2);
  void EmbeddedPostgres.start({ dataDir, port: Number(port), persistent: true, fast: true }).then((server) => {
    process.stdout.write(`url ${server.url}\n`);
    process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  });
}
