import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface AppProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `src/main.ts` as a real process (how users run it), with only the given environment. */
export function spawnApp(env: Record<string, string>): Promise<AppProcess> {
  return spawnWith(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], env);
}

/** Runs `npm start` itself: its build step, then the built app under npm's own wrapper. */
export function spawnNpmStart(env: Record<string, string>): Promise<AppProcess> {
  return spawnWith('npm', ['start'], env);
}

async function spawnWith(command: string, args: string[], env: Record<string, string>): Promise<AppProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...base, NODE_ENV: 'test', LOG_LEVEL: 'info', SEED_DEMO_DATA: 'false', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, output: () => output, exited };
}

/** Polls GET /api/v1/health until it answers (any status) or the process dies. */
export async function waitForHealth(app: AppProcess, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`app exited early:\n${app.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/api/v1/health`);
      return res.status;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`app did not answer within ${timeoutMs} ms:\n${app.output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
