import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root, whether this file runs from bench/ (tests) or dist/bench/ (npm run bench). */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Node server the harness starts as a child process (the API, or the Express reference) and
 * waits for until `readyPath` answers 200. Its output is passed through, prefixed, so a warning
 * or a crash is visible in the bench log.
 */
export class ServerProcess {
  private exited: Promise<void>;
  private output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const relay = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output = (this.output + text).slice(-8_000);
      for (const line of text.split('\n').filter(Boolean)) process.stderr.write(`[${name}] ${line.slice(0, 400)}\n`);
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  static async start(options: {
    name: string;
    script: string;
    /** Node's own options, before the script (V8 flags). */
    nodeArgs?: string[];
    env: Record<string, string>;
    readyPath: string;
    timeoutMs?: number;
  }): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(options.name, child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${options.name} exited during start (${child.exitCode ?? child.signalCode}): ${server.output.trim()}`,
        );
      }
      try {
        const response = await fetch(`${server.baseUrl}${options.readyPath}`);
        await response.arrayBuffer();
        if (response.status === 200) return server;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    await server.stop();
    throw new Error(
      `${options.name} did not answer ${options.readyPath} within ${(options.timeoutMs ?? 120_000) / 1000} s`,
    );
  }

  /** SIGTERM (the API drains and closes its pool), SIGKILL if it has not exited after 15 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * Samples a process's resident set every 100 ms and also reads the kernel's own high-water mark
 * (VmHWM), which catches a spike between two samples.
 */
export class RssSampler {
  private peak = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return Math.max(this.peak, readStatusBytes(this.pid, 'VmHWM'));
  }

  private sample(): void {
    this.peak = Math.max(this.peak, readStatusBytes(this.pid, 'VmRSS'));
  }
}

/** One field of /proc/<pid>/status in bytes; 0 once the process is gone. */
export function readStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
