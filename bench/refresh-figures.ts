import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HelioxClient, ingestCounts } from './heliox-client';
import { REPO_ROOT } from './processes';
import { Check, Figure, formatMs, Target, unmeasured } from './report';
import { timed } from './stats';

/**
 * Incremental refresh against a full rebuild: ingesting one more day (its snapshots and jobs)
 * recomputes only that day's cells, `npm run allocation:rebuild` recomputes the whole history.
 */

export const REFRESH_TARGET: Target = { op: '≥', value: 50 };
export const REFRESH_LABEL = '`npm run allocation:rebuild` wall time ÷ one-day incremental ingestion time';

export interface ExtraDayFiles {
  costs: string;
  jobs: string;
  jobCount: number;
  snapshotCount: number;
}

export async function ingestExtraDay(api: HelioxClient, day: ExtraDayFiles): Promise<{ ms: number; checks: Check[] }> {
  const { result, ms } = await timed(async () => {
    const costs = await api.ingestFile('costs', day.costs, 'application/x-ndjson');
    const jobs = await api.ingestFile('jobs', day.jobs, 'application/x-ndjson');
    return { costs, jobs };
  });
  const jobs = ingestCounts(result.jobs, 'jobs');
  return {
    ms,
    checks: [{ label: 'the extra day inserts its jobs', ok: jobs.inserted === day.jobCount, detail: JSON.stringify(jobs) }],
  };
}

/** Runs `npm run allocation:rebuild` against the database, as an operator would, and times it. */
export async function timeRebuild(env: Record<string, string>): Promise<{ ms: number } | { missing: string }> {
  const scripts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts['allocation:rebuild']) return { missing: 'package.json has no allocation:rebuild script' };
  const { ms } = await timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn('npm', ['run', '--silent', 'allocation:rebuild'], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          code === 0 ? resolve() : reject(new Error(`npm run allocation:rebuild failed (${code ?? signal})`)),
        );
      }),
  );
  return { ms };
}

export function refreshFigure(incrementalMs: number, rebuild: { ms: number } | { missing: string }, day: ExtraDayFiles): Figure {
  if ('missing' in rebuild) return unmeasured(REFRESH_LABEL, REFRESH_TARGET, rebuild.missing);
  const ratio = rebuild.ms / incrementalMs;
  return {
    label: REFRESH_LABEL,
    heliox: `${formatMs(incrementalMs)} (${day.jobCount.toLocaleString('en-US')} jobs, ${day.snapshotCount} snapshots)`,
    reference: `${formatMs(rebuild.ms)} (full rebuild)`,
    ratio,
    checked: ratio,
    target: REFRESH_TARGET,
  };
}
