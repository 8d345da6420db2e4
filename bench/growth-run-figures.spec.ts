import { StageMeasurement, stagedFigures, stagedTargets, storageSection } from './growth-run-figures';
import { verdict } from './report';

const MB = 1024 * 1024;

function measurement(overrides: Partial<StageMeasurement>): StageMeasurement {
  return {
    jobs: 1_000,
    loaded: 1_000,
    ingestMs: 1_000,
    ingestUpkeepMs: 400,
    uploads: 12,
    peakRssBytes: 200 * MB,
    settleMs: 100,
    storage: [
      { table: 'jobs', bytes: 2 * MB },
      { table: 'teams', bytes: 8192 },
    ],
    reads: new Map([
      ['by-team', [10, 10, 10]],
      ['GET /jobs first page', [4, 4, 4]],
    ]),
    day: { ms: 500, upkeepMs: 200, checks: [] },
    rebuildMs: 1_000,
    ...overrides,
  };
}

const reads = ['by-team', 'GET /jobs first page'];
const planned = { stageJobs: 1_000, jobs: 10_000 };

describe('growth run figures', () => {
  const stage = measurement({});

  it('compares the rest’s ingestion rate with the stage’s, and the rebuild with ten times the stage’s', () => {
    const full = measurement({ jobs: 10_000, loaded: 9_000, ingestMs: 10_000, rebuildMs: 13_000 });
    const [ingestion, rebuild] = stagedFigures(planned, stage, full, reads);
    expect(ingestion.ratio).toBeCloseTo(0.9);
    expect(verdict(ingestion)).toBe('pass');
    expect(rebuild.ratio).toBeCloseTo(1.3);
    expect(verdict(rebuild)).toBe('fail');
  });

  it('divides latency, one-day upload and takes the peak RSS of the second load', () => {
    const full = measurement({
      jobs: 10_000,
      reads: new Map([
        ['by-team', [30, 30, 30]],
        ['GET /jobs first page', [5, 5, 5]],
      ]),
      day: { ms: 900, upkeepMs: 400, checks: [] },
      peakRssBytes: 310 * MB,
    });
    const [, , byTeam, page, day, rss] = stagedFigures(planned, stage, full, reads);
    expect([byTeam.ratio, verdict(byTeam)]).toEqual([3, 'fail']);
    expect([page.ratio, verdict(page)]).toEqual([1.25, 'pass']);
    expect(day.ratio).toBeCloseTo(1.8);
    expect([rss.checked, verdict(rss)]).toEqual([310, 'fail']);
  });

  it('names the same rows, in the same order, when nothing could be measured', () => {
    const full = measurement({ jobs: 10_000 });
    expect(stagedTargets(1_000, 10_000, reads).map(([label]) => label)).toEqual(
      stagedFigures(planned, stage, full, reads).map((f) => f.label),
    );
  });

  it('refuses a read without samples rather than dividing by nothing', () => {
    const full = measurement({ jobs: 10_000, reads: new Map() });
    expect(() => stagedFigures(planned, stage, full, reads)).toThrow('by-team has no samples');
  });

  it('reports bytes per job by table, small tables summed', () => {
    const full = measurement({
      jobs: 10_000,
      storage: [
        { table: 'jobs', bytes: 20 * MB },
        { table: 'teams', bytes: 8192 },
      ],
    });
    const section = storageSection(stage, full);
    expect(section).toContain(
      `| jobs | 2 MB | ${Math.round((2 * MB) / 1_000)} | 20 MB | ${Math.round((20 * MB) / 10_000)} |`,
    );
    expect(section).toContain('| other tables | 0 MB | 8 | 0 MB | 1 |');
  });
});
