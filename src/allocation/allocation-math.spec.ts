import { allocate, CapacityInput, costByTeam, JobUsageInput, usageByDay } from './allocation-math';

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
        capacityGpuHours: null,
        ownerTeamId: null,
        rule: 'idle',
        pricePerGpuHour: 0,
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

  describe('with capacity (docs/allocation.md, worked example)', () => {
    // aws/h100 billed $960 on 2026-01-03 for 8 reserved GPUs (192 GPU-hours): $5 a GPU-hour.
    const capacity: CapacityInput = {
      provider: 'aws',
      gpuType: 'h100',
      gpuCount: 8,
      from: '2026-01-01',
      to: null,
      ownerTeamId: 'platform',
    };
    const jobs = [
      job('A', { gpuCount: 8, start: new Date('2026-01-03T00:00:00Z'), end: new Date('2026-01-03T10:00:00Z') }),
      job('B', { gpuCount: 4, start: new Date('2026-01-03T10:00:00Z'), end: new Date('2026-01-03T15:00:00Z') }),
    ];
    const snapshots = [
      { day: '2026-01-03', provider: 'aws', gpuType: 'h100', costUsd: 960 },
      { day: '2026-01-03', provider: 'aws', gpuType: 'a100', costUsd: 300 },
    ];
    const result = allocate(jobs, snapshots, asOf, [capacity]);
    const teamOf = (id: string) => (id === 'A' ? 'vision' : 'nlp');
    const byTeam = (idle: 'separate' | 'share' | 'owner') => {
      const { teams, separateIdleUsd } = costByTeam(result, teamOf, idle);
      return { teams: Object.fromEntries(teams), separateIdleUsd };
    };

    it('charges each GPU-hour at snapshot ÷ capacity GPU-hours and leaves the rest idle', () => {
      expect(costOf(result, 'A')).toEqual([400]);
      expect(costOf(result, 'B')).toEqual([100]);
      expect(result.cells.find((c) => c.gpuType === 'h100')).toMatchObject({
        rule: 'capacity',
        capacityGpuHours: 192,
        pricePerGpuHour: 5,
        allocatedUsd: 500,
        unallocatedUsd: 460,
      });
    });

    it('keeps idle separate, shares it by cost, or charges it to the owner', () => {
      expect(byTeam('separate')).toEqual({
        teams: { vision: { allocatedUsd: 400, idleUsd: 0 }, nlp: { allocatedUsd: 100, idleUsd: 0 } },
        separateIdleUsd: 760,
      });
      expect(byTeam('share')).toEqual({
        teams: { vision: { allocatedUsd: 400, idleUsd: 368 }, nlp: { allocatedUsd: 100, idleUsd: 92 } },
        separateIdleUsd: 300,
      });
      expect(byTeam('owner')).toEqual({
        teams: {
          vision: { allocatedUsd: 400, idleUsd: 0 },
          nlp: { allocatedUsd: 100, idleUsd: 0 },
          platform: { allocatedUsd: 0, idleUsd: 460 },
        },
        separateIdleUsd: 300,
      });
    });

    it('falls back to the split by GPU-hours, without idle, when usage exceeds capacity', () => {
      const busy = allocate(
        [job('C', { gpuCount: 10, start: new Date('2026-01-04T00:00:00Z'), end: new Date('2026-01-05T00:00:00Z') })],
        [{ day: '2026-01-04', provider: 'aws', gpuType: 'h100', costUsd: 960 }],
        asOf,
        [capacity],
      );
      expect(costOf(busy, 'C')).toEqual([960]);
      expect(busy.cells[0]).toMatchObject({ rule: 'over_capacity', pricePerGpuHour: 4, unallocatedUsd: 0 });
    });

    it('leaves a day outside the period, and another GPU type, to the split by GPU-hours', () => {
      const before = allocate(
        [job('D', { start: new Date('2025-12-31T00:00:00Z'), end: new Date('2025-12-31T02:00:00Z') })],
        [{ day: '2025-12-31', provider: 'aws', gpuType: 'h100', costUsd: 50 }],
        asOf,
        [capacity],
      );
      expect(before.cells[0]).toMatchObject({ rule: 'usage', capacityGpuHours: null, unallocatedUsd: 0 });
      expect(costOf(before, 'D')).toEqual([50]);
    });
  });
});
