import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDirectory, DEMO_DATA_AS_OF, shouldSeedDemoData } from './demo-data';
import { normaliseCost } from './records/cost-record';
import { normaliseJob } from './records/job-record';
import { timeBounds } from './records/time-bounds';

describe('shouldSeedDemoData', () => {
  it('seeds an empty embedded database when enabled', () => {
    expect(shouldSeedDemoData({ SEED_DEMO_DATA: true }, 0)).toBe(true);
  });

  it('never seeds an external database, a database with jobs, or when switched off', () => {
    expect(shouldSeedDemoData({ SEED_DEMO_DATA: true, DATABASE_URL: 'postgres://db/heliox' }, 0)).toBe(false);
    expect(shouldSeedDemoData({ SEED_DEMO_DATA: true }, 1)).toBe(false);
    expect(shouldSeedDemoData({ SEED_DEMO_DATA: false }, 0)).toBe(false);
  });
});

describe('the demo files', () => {
  // As the ingestion checks them: as of the end of their fortnight, with the default bounds.
  const bounds = timeBounds({ floorDay: '2000-01-01', maxDays: 366 }, DEMO_DATA_AS_OF);
  const read = (file: string) => JSON.parse(readFileSync(path.join(dataDirectory(), file), 'utf8'));

  it('hold 3 budgeted teams and 30 valid jobs within 2026-01-01..14, of every status', () => {
    const { teams, jobs } = read('mock_jobs.json');
    expect(teams.map((t: { name: string }) => t.name).sort()).toEqual(['ai-platform', 'data-science', 'ml-research']);
    expect(teams.every((t: { budget_usd: number; description: string }) => t.budget_usd > 0 && t.description)).toBe(
      true,
    );
    expect(jobs).toHaveLength(30);
    const records = jobs.map((j: unknown) => normaliseJob(j, bounds));
    expect(records.every((r: { ok: boolean }) => r.ok)).toBe(true);
    expect(new Set(jobs.map((j: { status: string }) => j.status))).toEqual(
      new Set(['completed', 'running', 'failed', 'cancelled', 'queued']),
    );
    expect(jobs.every((j: { start_time: string }) => j.start_time >= '2026-01-01' && j.start_time < '2026-01-15')).toBe(
      true,
    );
  });

  it('hold one valid snapshot per day and GPU type for the 14 days', () => {
    const { cost_snapshots } = read('mock_cost_snapshots.json');
    expect(cost_snapshots).toHaveLength(28);
    expect(cost_snapshots.every((s: unknown) => normaliseCost(s, bounds).ok)).toBe(true);
    expect(
      new Set(cost_snapshots.map((s: { entry_date: string; gpu_type: string }) => `${s.entry_date}/${s.gpu_type}`))
        .size,
    ).toBe(28);
  });
});
