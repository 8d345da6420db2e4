import {
  dashboardReads,
  growthPercent,
  MixedLoadMeasurement,
  mixedLoadFigures,
  mixedLoadPhases,
  planUploads,
  rssReadings,
  rssWindowSeconds,
} from './mixed-load-figures';
import { verdict } from './report';

const MB = 1024 * 1024;
const phases = mixedLoadPhases(10);

/** `n` latencies of `ms` each, with the slowest 2 % at `tail` ms (so each p99 falls in the tail). */
const latencies = (n: number, ms: number, tail: number) =>
  Array.from({ length: n }, (_, i) => (i < n / 50 ? tail : ms));

const measurement = (over: Partial<MixedLoadMeasurement> = {}): MixedLoadMeasurement => ({
  phases,
  baseline: { 'by-team': latencies(1_000, 5, 40), budgets: latencies(1_000, 4, 30) },
  withUploads: { 'by-team': latencies(2_000, 6, 100), budgets: latencies(2_000, 5, 60) },
  reads: { answered: 6_000, failed: 0 },
  uploads: { done: 26, failed: 0, ms: [900, 1_100, 1_000], jobs: 2_740, snapshots: 18 },
  rssBytes: { start: 200 * MB, end: 210 * MB, peak: 230 * MB },
  ...over,
});

describe('mixedLoadPhases', () => {
  it('reads for 120 s with uploads against 2 × 30 s without in a full run (--duration 10)', () => {
    expect(phases).toEqual({ warmUp: 10, baselineHalf: 30, uploadWarmUp: 10, withUploads: 120 });
  });

  it('keeps two uploads before the first RSS reading even in a smoke run (--duration 2)', () => {
    expect(mixedLoadPhases(2)).toEqual({ warmUp: 2, baselineHalf: 6, uploadWarmUp: 10, withUploads: 24 });
  });
});

describe('planUploads', () => {
  const uploads = planUploads(130, 5, '2026-12-01', 7);

  it('starts one upload every interval from the phase start until its end', () => {
    expect(uploads).toHaveLength(26);
    expect(uploads.slice(0, 3).map((u) => u.dueSeconds)).toEqual([0, 5, 10]);
    expect(uploads.at(-1)?.dueSeconds).toBe(125);
  });

  it('goes back from the newest day and cycles over the last days, so every upload changes a day already read', () => {
    expect(uploads.slice(0, 8).map((u) => u.day)).toEqual([
      '2026-12-01',
      '2026-11-30',
      '2026-11-29',
      '2026-11-28',
      '2026-11-27',
      '2026-11-26',
      '2026-11-25',
      '2026-12-01',
    ]);
  });

  it('alternates NDJSON and CSV', () => {
    expect(uploads.slice(0, 4).map((u) => u.format)).toEqual(['ndjson', 'csv', 'ndjson', 'csv']);
  });
});

describe('dashboardReads', () => {
  it('reads by-team and cost per day over the last 30 days, the month’s budgets and the newest jobs', () => {
    expect(dashboardReads('2026-12-01').map((r) => r.path)).toEqual([
      '/api/v1/analytics/cost/by-team?start=2026-11-02&end=2026-12-01',
      '/api/v1/analytics/cost?start=2026-11-02&end=2026-12-01&group_by=day',
      '/api/v1/analytics/budgets?month=2026-12',
      '/api/v1/jobs?limit=50',
    ]);
  });
});

describe('rssReadings', () => {
  it('reads the start and the end as medians of the first and last samples, so one GC tooth moves neither', () => {
    const samples = [200, 260, 204, 230, 300, 229, 210, 250, 212].map((mb) => mb * MB);
    expect(rssReadings(samples, 3)).toEqual({ start: 204 * MB, end: 212 * MB, peak: 300 * MB });
  });

  it('makes no reading once a sample shows the process gone', () => {
    expect(rssReadings([200 * MB, 0, 210 * MB], 1)).toEqual({ start: 0, end: 0, peak: 0 });
    expect(rssReadings([], 1)).toEqual({ start: 0, end: 0, peak: 0 });
  });

  it('takes the readings over the first and last 10 s of a 120-s phase', () => {
    expect(rssWindowSeconds(phases)).toBe(10);
    expect(rssWindowSeconds(mixedLoadPhases(2))).toBe(2);
  });
});

describe('growthPercent', () => {
  it('is the change from the first reading, in percent of it', () => {
    expect(growthPercent(200 * MB, 210 * MB)).toBeCloseTo(5);
    expect(growthPercent(200 * MB, 190 * MB)).toBeCloseTo(-5);
  });
});

describe('mixedLoadFigures', () => {
  it('divides the p99 of all reads during the uploads by the p99 of all reads without them', () => {
    // Nearest rank over both reads: with uploads the 3,960th of 4,000 is the last of 40 at 60 ms
    // (40 more at 100 ms above it); without, the 1,980th of 2,000 is the last of 20 at 30 ms.
    const [p99] = mixedLoadFigures(measurement());
    expect(p99.ratio).toBe(2);
    expect(verdict(p99)).toBe('pass');
    expect(p99.heliox).toContain('by-team 100 ms');
  });

  it('fails the p99 row above three times the baseline', () => {
    const slow = { 'by-team': latencies(2_000, 6, 200), budgets: latencies(2_000, 5, 200) };
    const [p99] = mixedLoadFigures(measurement({ withUploads: slow }));
    expect(p99.ratio).toBeCloseTo(200 / 30);
    expect(verdict(p99)).toBe('fail');
  });

  it('leaves the p99 row unmeasured when no upload completed, since the reads then bore no uploads', () => {
    const [p99] = mixedLoadFigures(
      measurement({ uploads: { done: 0, failed: 26, ms: [], jobs: 2_740, snapshots: 18 } }),
    );
    expect(verdict(p99)).toBe('not measured');
  });

  it('counts failed reads and failed uploads together against a target of none', () => {
    expect(verdict(mixedLoadFigures(measurement())[1])).toBe('pass');
    const readFailed = mixedLoadFigures(measurement({ reads: { answered: 6_000, failed: 1 } }))[1];
    const uploadFailed = mixedLoadFigures(
      measurement({ uploads: { done: 25, failed: 1, ms: [1_000], jobs: 2_740, snapshots: 18 } }),
    )[1];
    expect([readFailed.checked, verdict(readFailed)]).toEqual([1, 'fail']);
    expect([uploadFailed.checked, verdict(uploadFailed)]).toEqual([1, 'fail']);
    expect(uploadFailed.heliox).toContain('1 of 26 uploads');
  });

  it('passes RSS growth under 10 % and fails it at 10 %', () => {
    const grown = (end: number) =>
      mixedLoadFigures(measurement({ rssBytes: { start: 200 * MB, end, peak: 230 * MB } }))[2];
    expect(verdict(grown(219 * MB))).toBe('pass');
    expect(verdict(grown(220 * MB))).toBe('fail');
    expect(grown(210 * MB).heliox).toBe('200 MB → 210 MB (+5.0 %; peak 230 MB)');
  });

  it('leaves RSS unmeasured when the process could not be read', () => {
    const gone = measurement({ rssBytes: { start: 0, end: 0, peak: 0 } });
    expect(verdict(mixedLoadFigures(gone)[2])).toBe('not measured');
  });
});
