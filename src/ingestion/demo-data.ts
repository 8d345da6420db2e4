import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { IngestionKind } from './ingestion-run.entity';

const DEMO_FILES: Record<IngestionKind, string> = {
  jobs: 'mock_jobs.json',
  costs: 'mock_cost_snapshots.json',
};

/**
 * The repository's `data/` directory, found by walking up from this file: the same lookup
 * works from `src/ingestion` (ts-node, Jest) and from `dist/src/ingestion` (a build).
 */
export function dataDirectory(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'data', DEMO_FILES.jobs))) return path.join(dir, 'data');
    if (path.dirname(dir) === dir) throw new Error(`No data/${DEMO_FILES.jobs} above ${from}`);
  }
}

/**
 * The demo files describe the fortnight 2026-01-01..14 and are checked as of its end: their
 * running jobs would otherwise turn into "running for more than JOB_MAX_DAYS" as the calendar
 * moves on, and the demo must always load. (The allocation still measures them up to now.)
 */
export const DEMO_DATA_AS_OF = new Date('2026-01-15T00:00:00Z');

export async function readDemoFile(kind: IngestionKind): Promise<unknown> {
  return JSON.parse(await fs.readFile(path.join(dataDirectory(), DEMO_FILES[kind]), 'utf8'));
}

/** Boot seeds the demo only into an embedded database that has no jobs yet, when enabled. */
export function shouldSeedDemoData(
  settings: { SEED_DEMO_DATA: boolean; DATABASE_URL?: string },
  jobCount: number,
): boolean {
  return settings.SEED_DEMO_DATA && !settings.DATABASE_URL && jobCount === 0;
}
