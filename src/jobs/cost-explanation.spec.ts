import type { JobDayInCell } from '../allocation/allocation.service';
import { explainJobDay } from './cost-explanation';
import type { JobResponse } from './dto/job.response';

const job: JobResponse = {
  id: '9d1f7c1e-3b7a-4f7e-8a51-6c1f0c2b9e44',
  job_id: 'A',
  team_id: 'team-vision',
  team_name: 'vision',
  model_name: 'llama',
  provider: 'aws',
  gpu_type: 'h100',
  gpu_count: 8,
  start_time: '2026-01-02T20:00:00.000Z',
  end_time: '2026-01-03T10:00:00.000Z',
  status: 'completed',
  duration_hours: 14,
  gpu_hours: 112,
  labels: {},
  gpu_utilization: null,
};

/** Job A's 80 GPU-hours of 2026-01-03 in a cell of $960, 100 GPU-hours used, 8 GPUs of capacity owned by platform. */
const cell = (over: Partial<JobDayInCell> = {}): JobDayInCell => ({
  gpuHours: '80',
  costUsd: '400.000000000000',
  shareCostUsd: '768.000000000000',
  snapshotCostUsd: '960.0000',
  cellGpuHours: '100',
  cellJobCount: 2,
  rate: '5.0000000000000000',
  capacityId: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21',
  capacityGpuHours: '192',
  ownerTeamId: 'team-platform',
  ownerTeamName: 'platform',
  cellAllocatedUsd: '500.000000000000',
  cellIdleUsd: '460.0000000000000000',
  usedCostUsd: null,
  ...over,
});

describe('explaining a job-day', () => {
  it('names the rule from the cell: capacity, over capacity, no capacity, no snapshot', () => {
    expect(explainJobDay(job, '2026-01-03', cell(), 'separate', undefined).rule).toBe('capacity');
    expect(explainJobDay(job, '2026-01-03', cell({ cellGpuHours: '240' }), 'separate', undefined).rule).toBe(
      'over_capacity',
    );
    expect(
      explainJobDay(job, '2026-01-03', cell({ capacityId: null, capacityGpuHours: null }), 'separate', undefined).rule,
    ).toBe('usage');
    expect(explainJobDay(job, '2026-01-03', cell({ snapshotCostUsd: null }), 'separate', undefined).rule).toBe(
      'unpriced',
    );
  });

  it("clips the job's interval to the day", () => {
    const { job: day } = explainJobDay(job, '2026-01-03', cell(), 'separate', undefined);
    expect([day.interval_start, day.interval_end]).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-03T10:00:00.000Z']);
    expect(day.share).toBe(0.8);
  });

  it('gives the share of idle as the difference of two rounded costs, so cost + share = total', () => {
    const { idle } = explainJobDay(
      job,
      '2026-01-03',
      cell({ costUsd: '400.004999999999', shareCostUsd: '768.005000000000' }),
      'share',
      undefined,
    );
    expect(idle).toMatchObject({ charged_to: 'jobs', job_idle_usd: 368.01, job_total_usd: 768.01 });
  });

  it('names the owner team only to its members and to admins', () => {
    expect(explainJobDay(job, '2026-01-03', cell(), 'owner', undefined).idle.owner_team_name).toBe('platform');
    expect(explainJobDay(job, '2026-01-03', cell(), 'owner', 'team-platform').idle.owner_team_name).toBe('platform');
    const member = explainJobDay(job, '2026-01-03', cell(), 'owner', 'team-vision');
    expect(member.idle).toMatchObject({ charged_to: 'owner', owner_team_id: null, owner_team_name: null });
    expect(member.cell.capacity).toMatchObject({ owner_team_id: null, owner_team_name: null });
  });
});
