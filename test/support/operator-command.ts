import { execFile } from 'node:child_process';
import path from 'node:path';

/** The checkout under test. */
export const PROJECT_ROOT = path.resolve(__dirname, '../..');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an operator's command (`src/ingestion/ingest.cli`, …) through `scripts/run-entry.cjs` of
 * the project at `root`, as `npm run ingest` and the others do, with only the given environment.
 */
export function runOperatorCommand(
  entry: string,
  args: string[],
  env: Record<string, string>,
  root = PROJECT_ROOT,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'scripts/run-entry.cjs'), entry, ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', ...env },
        timeout: 180_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
