import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rebuildMsOf } from '../src/allocation/rebuild-report';
import { HelioxClient, ingestCounts, metricValue } from './heliox-client';
import { REPO_ROOT } from './processes';
import { Check, Figure, formatMs, Target, unmeasured } from './report';
import { timed } from './stats';

/**
 * Incremental refresh against a full rebuild: ingesting one more day (its snapshots and jobs)
 * recomputes only that day's cells, `npm run allocation:rebuild` recomputes the whole history.
 * Two readings of the same target, both reported: the whole uploads as a client waits for them
 * (HTTP, parsing, the jobs upsert included) against the rebuild command's wall time, and the
 * allocation work alone on both sides, as the server times it.
 */

export const REFRESH_TARGET: Target = { op: '≥', value: 50 };
export const REFRESH_LABEL = '`npm run allocation:rebuild` wall time ÷ one-day incremental ingestion time';
export const UPKEEP_LABEL =
  'rebuild time ÷ allocation upkeep of the one-day ingestion (marks + refreshes, timed by the server)';

export interface ExtraDayFiles {
  costs: string;
  jobs: string;
  jobCount: number;
  snapshotCount: number;
}

export interface ExtraDay {
  /** Both uploads, as the client waited for them. */
  ms: number;
  /** What the API spent on the allocation during them (`allocation_duration_seconds`, mark + refresh). */
  upkeepMs: number;
  checks: Check[];
}

/** Seconds the API has spent marking changes and refreshing the allocation so far. */
export async function upkeepSeconds(api: HelioxClient): Promise<number> {
  const exposition = await api.metrics();
  return ['mark', 'refresh'].reduce(
    (sum, step) => sum + metricValue(exposition, `allocation_duration_seconds_sum{step="${step}"}`),
    0,
  );
}

export async function ingestExtraDay(api: HelioxClient, day: ExtraDayFiles): Promise<ExtraDay> {
  const upkeepBefore = await upkeepSeconds(api);
  const { result, ms } = await timed(async () => {
    const costs = await api.ingestFile('costs', day.costs, 'application/x-ndjson');
    const jobs = await api.ingestFile('jobs', day.jobs, 'application/x-ndjson');
    return { costs, jobs };
  });
  const upkeepMs = ((await upkeepSeconds(api)) - upkeepBefore) * 1000;
  const jobs = ingestCounts(result.jobs, 'jobs');
  return {
    ms,
    upkeepMs,
    checks: [
      { label: 'the extra day inserts its jobs', ok: jobs.inserted === day.jobCount, detail: JSON.stringify(jobs) },
    ],
  };
}

export interface RebuildTiming {
  /** `npm run allocation:rebuild` from spawn to exit. */
  ms: number;
  /** The rebuild itself, as the command reports it (without starting Node and the app). */
  rebuildMs: number;
}

/** Runs `npm run allocation:rebuild` against the database, as an operator would, and times it. */
export async function timeRebuild(env: Record<string, string>): Promise<RebuildTiming | { missing: string }> {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const scripts = manifest.scripts ?? {};
  if (!scripts['allocation:rebuild']) return { missing: 'package.json has no allocation:rebuild script' };
  let output = '';
  const { ms } = await timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn('npm', ['run', '--silent', 'allocation:rebuild'], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          process.stdout.write(chunk);
        });
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          code === 0 ? resolve() : reject(new Error(`npm run allocation:rebuild failed (${code ?? signal})`)),
        );
      }),
  );
  const rebuildMs = rebuildMsOf(output);
  if (rebuildMs === undefined)
    return {
      missing: `npm run allocation:rebuild did not say how long the rebuild took: ${output.trim().slice(0, 200)}`,
    };
  return { ms, rebuildMs };
}

export function refreshFigures(
  day: ExtraDay,
  rebuild: RebuildTiming | { missing: string },
  files: ExtraDayFiles,
): Figure[] {
  if ('missing' in rebuild)
    return [
      unmeasured(REFRESH_LABEL, REFRESH_TARGET, rebuild.missing),
      unmeasured(UPKEEP_LABEL, REFRESH_TARGET, rebuild.missing),
    ];
  const size = `${files.jobCount.toLocaleString('en-US')} jobs, ${files.snapshotCount} snapshots`;
  const figure = (label: string, heliox: string, reference: string, ratio: number): Figure => ({
    label,
    heliox,
    reference,
    ratio,
    checked: ratio,
    target: REFRESH_TARGET,
  });
  return [
    figure(
      REFRESH_LABEL,
      `${formatMs(day.ms)} (${size})`,
      `${formatMs(rebuild.ms)} (full rebuild)`,
      rebuild.ms / day.ms,
    ),
    figure(
      UPKEEP_LABEL,
      `${formatMs(day.upkeepMs)} (${size})`,
      `${formatMs(rebuild.rebuildMs)} (full rebuild, without starting the command)`,
      rebuild.rebuildMs / day.upkeepMs,
    ),
  ];
}
