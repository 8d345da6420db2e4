import { allocate, JobUsageInput, usageByDay } from './allocation-math';

const asOf = new Date('2026-01-20T00:00:00Z');
const job = (id: string, over: Partial<JobUsageInput>): JobUsageInput => ({
  id,
  provider: 'aws',
  gpuType: 'h100',
  gpuCount: 1,
  start: new Date('2026-01-03T00:00:00Z'),
  end: new Date('2026-01-03T01:00:00Z'),
  ...over,
});
const costOf = (result: ReturnType<typeof allocate>, jobUuid: string) =>
  result.jobDays.filter((d) => d.jobUuid === jobUuid).map((d) => d.costUsd);

describe('cost allocation arithmetic', () => {
  it("splits DESIGN's worked example 720 / 180 and leaves the idle a100 unallocated", () => {
    const result = allocate(
      [
        job('A', { gpuCount: 8, start: new Date('2026-01-03T00:00:00Z'), end: new Date('2026-01-03T10:00:00Z') }),
        job('B', { gpuCount: 4, start: new Date('2026-01-03T10:00:00Z'), end: new Date('2026-01-03T15:00:00Z') }),
      ],
      [
        { day: '2026-01-03', provider: 'aws', gpuType: 'h100', costUsd: 900 },
        { day: '2026-01-03', provider: 'aws', gpuType: 'a100', costUsd: 300 },
      ],
      asOf,
    );
    expect(costOf(result, 'A')).toEqual([720]);
    expect(costOf(result, 'B')).toEqual([180]);
    expect(result.cells.find((c) => c.gpuType === 'a100')).toMatchObject({ allocatedUsd: 0, unallocatedUsd: 300 });
  });

  it('splits a job across midnight into the hours of each UTC day', () => {
    const days = usageByDay(
      job('A', { gpuCount: 2, start: new Date('2026-01-03T22:00:00Z'), end: new Date('2026-01-04T03:00:00Z') }),
      asOf,
    );
    expect(days).toEqual([
      { day: '2026-01-03', gpuHours: 4 },
      { day: '2026-01-04', gpuHours: 6 },
    ]);
  });

  it('measures a running job up to now', () => {
    const days = usageByDay(job('A', { start: new Date('2026-01-19T18:00:00Z'), end: null }), asOf);
    expect(days).toEqual([{ day: '2026-01-19', gpuHours: 6 }]);
  });

  it('counts fractional GPUs (MIG slices) by their fraction', () => {
    const result = allocate(
      [job('A', { gpuCount: 0.5 }), job('B', { gpuCount: 1.5 })],
      [{ day: '2026-01-03', provider: 'aws', gpuType: 'h100', costUsd: 100 }],
      asOf,
    );
    expect(costOf(result, 'A')).toEqual([25]);
    expect(costOf(result, 'B')).toEqual([75]);
  });

  it('leaves the whole snapshot of a day without jobs unallocated', () => {
    const result = allocate([], [{ day: '2026-01-05', provider: 'gcp', gpuType: 'a100', costUsd: 42.5 }], asOf);
    expect(result.cells).toEqual([
      {
        day: '2026-01-05',
        provider: 'gcp',
        gpuType: 'a100',
        snapshotCostUsd: 42.5,
        gpuHours: 0,
        allocatedUsd: 0,
        unallocatedUsd: 42.5,
        unpricedGpuHours: 0,
      },
    ]);
  });

  it('reports usage without a snapshot as unpriced GPU-hours at zero cost', () => {
    const result = allocate([job('A', { gpuCount: 4 })], [], asOf);
    expect(costOf(result, 'A')).toEqual([0]);
    expect(result.cells[0]).toMatchObject({
      snapshotCostUsd: null,
      unpricedGpuHours: 4,
      allocatedUsd: 0,
      unallocatedUsd: 0,
    });
  });

  it('gives a queued job no usage, and a job ending at midnight none on the next day', () => {
    expect(usageByDay(job('Q', { status: 'queued', end: null }), asOf)).toEqual([]);
    const days = usageByDay(
      job('A', { start: new Date('2026-01-03T20:00:00Z'), end: new Date('2026-01-04T00:00:00Z') }),
      asOf,
    );
    expect(days).toEqual([{ day: '2026-01-03', gpuHours: 4 }]);
  });
});
